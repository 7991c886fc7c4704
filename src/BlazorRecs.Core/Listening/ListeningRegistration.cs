using BlazorRecs.Core.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Listening;

/// <summary>Registers the catalog queries and the listening service.</summary>
public static class ListeningRegistration
{
    /// <summary>Adds <see cref="CatalogQueries"/> and <see cref="ListeningService"/>.</summary>
    public static IHostApplicationBuilder AddBlazorRecsListening(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CatalogQueries>();
        builder.Services.AddSingleton<ListeningService>();
        return builder;
    }
}
