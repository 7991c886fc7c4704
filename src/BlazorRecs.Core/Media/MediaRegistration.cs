using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Media;

/// <summary>Registers ffmpeg/ffprobe access.</summary>
public static class MediaRegistration
{
    /// <summary>Adds <see cref="Ffmpeg"/> and the process runner that caps and times out external tools.</summary>
    public static IHostApplicationBuilder AddBlazorRecsMedia(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<MediaOptions>(MediaOptions.Section);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MediaOptions>>().Value;
            int slots = options.MaxConcurrency > 0 ? options.MaxConcurrency : Environment.ProcessorCount;
            return new ExternalProcessRunner(slots, TimeSpan.FromSeconds(options.TimeoutSeconds));
        });
        builder.Services.AddSingleton<Ffmpeg>();
        return builder;
    }
}
