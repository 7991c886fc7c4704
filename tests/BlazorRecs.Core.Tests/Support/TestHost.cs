using BlazorRecs.Core;
using BlazorRecs.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlazorRecs.Core.Tests.Support;

/// <summary>The real core services (SQLite, ffmpeg, jobs, importers, seeding) on a fresh temporary data directory.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(IHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
    }

    public IHost Host { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => Host.Services;

    public static async Task<TestHost> StartAsync(Action<HostApplicationBuilder>? configure = null, params string[] settings)
    {
        string data = Directory.CreateTempSubdirectory("blazorrecs-core-").FullName;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [$"--BlazorRecs:DataDirectory={data}", "--BlazorRecs:Device=cpu", .. settings],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddBlazorRecsCore();
        configure?.Invoke(builder);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new TestHost(host, data);
    }

    public async Task<BlazorRecsDbContext> DbAsync() =>
        await Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(CancellationToken.None);
        Host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await BlazorRecs.TestSupport.TempDirectory.DeleteAsync(DataDirectory);
    }
}
