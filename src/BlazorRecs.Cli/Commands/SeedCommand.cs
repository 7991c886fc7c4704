using System.CommandLine;
using System.Globalization;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Seeding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Cli.Commands;

/// <summary><c>blazorrecs seed</c> and <c>blazorrecs bench seed</c>: the procedural demo catalog from the command line.</summary>
internal static class SeedCommand
{
    private static readonly Option<int?> Tracks = new("--tracks") { Description = "Tracks in the catalog (default BlazorRecs:Seed:DefaultTracks, 500)" };
    private static readonly Option<int?> Listeners = new("--listeners") { Description = "Simulated personas (default 1000; 0 for none)" };
    private static readonly Option<int?> Plays = new("--plays") { Description = "About how many plays the simulated history has (default 150000)" };
    private static readonly Option<int?> Seed = new("--seed") { Description = "The seed number: the same seed gives the same catalog (default 42)" };
    private static readonly Option<int?> Seconds = new("--seconds") { Description = "Length of each track in seconds (default 30)" };

    public static Command Create()
    {
        var command = new Command("seed", "Render the procedural demo catalog and simulate its listeners into the configured data directory. " +
                                          "Resumes where an earlier run stopped.")
        {
            Tracks, Listeners, Plays, Seed, Seconds,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var report = await RunAsync(parse, parse.UnmatchedTokens, ct);
            Print(report);
            return 0;
        });
        return command;
    }

    public static Command CreateBenchmark()
    {
        var command = new Command("seed", "Benchmark seeding into a temporary data directory: prints tracks per second and the time until the " +
                                          "first track is playable.")
        {
            Tracks, Seconds, Seed,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            string dir = Directory.CreateTempSubdirectory("blazorrecs-bench-seed-").FullName;
            try
            {
                var args = parse.UnmatchedTokens.Append($"--BlazorRecs:DataDirectory={dir}").ToList();
                var report = await RunAsync(parse, args, ct, listeners: 0);
                Print(report);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cores {Environment.ProcessorCount}; per track {report.RenderTime.TotalSeconds / Math.Max(1, report.TracksRendered):0.00} s wall; " +
                    $"500 tracks would take about {500 / Math.Max(0.001, report.TracksPerSecond):0} s at this rate"));
                return 0;
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        });
        return command;
    }

    private static async Task<SeedReport> RunAsync(ParseResult parse, IEnumerable<string> configuration, CancellationToken ct, int? listeners = null)
    {
        using IHost host = CliHost.Build(configuration);
        await host.StartAsync(ct);
        await using var scope = host.Services.CreateAsyncScope();
        var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<SeedCatalogJob>().Single();
        var parameters = new SeedJobParameters(parse.GetValue(Seed), parse.GetValue(Tracks), listeners ?? parse.GetValue(Listeners), parse.GetValue(Plays), parse.GetValue(Seconds));
        var report = await job.RunAsync(parameters, new ConsoleProgress(), ct);
        await host.StopAsync(ct);
        return report;
    }

    private static void Print(SeedReport r) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"seeded {r.TracksTotal} tracks ({r.TracksRendered} rendered in {r.RenderTime.TotalSeconds:0.0} s = {r.TracksPerSecond:0.00} tracks/s; " +
        $"first track playable after {r.FirstPlayableAfter?.TotalSeconds ?? 0:0.00} s), {r.Listeners} personas with {r.Plays:N0} plays " +
        $"simulated in {r.SimulationTime.TotalSeconds:0.0} s"));
}
