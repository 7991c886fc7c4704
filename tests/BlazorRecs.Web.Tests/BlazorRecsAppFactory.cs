using BlazorRecs.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests;

/// <summary>The real app in process, on a fresh temporary data directory, with models from ../shared.</summary>
public sealed class BlazorRecsAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string? _environment;

    /// <param name="settings">Configuration on top of the test defaults.</param>
    /// <param name="services">Services added to the app's own (for example a job handler a test controls).</param>
    /// <param name="environment">The hosting environment; WebApplicationFactory's default is Development, where
    /// ASP.NET Core behaves differently in places (error pages, request binding failures).</param>
    public BlazorRecsAppFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? environment = null)
    {
        _services = services;
        _environment = environment;
        DataDirectory = Directory.CreateTempSubdirectory("blazorrecs-web-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["BlazorRecs:DataDirectory"] = DataDirectory,
            ["BlazorRecs:Device"] = "cpu",
            // Tests build their own small catalogs; the demo seed would render hundreds of tracks.
            ["BlazorRecs:Seed:OnFirstStart"] = "false",
        };
        if (SharedFolder.Path is { } shared)
        {
            _settings["BlazorRecs:ModelsDirectory"] = Path.Combine(shared, "models");
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (_environment is not null)
        {
            builder.UseEnvironment(_environment);
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await TempDirectory.DeleteAsync(DataDirectory);
    }
}
