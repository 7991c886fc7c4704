using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Cli.Commands;

/// <summary><c>blazorrecs embed [--backend ID]</c>: compute missing or stale track vectors and build the indexes.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var backend = new Option<string?>("--backend") { Description = "One backend id (mfcc, musicnn-msd); default: every available one" };
        var command = new Command("embed", "Embed every track whose vector is missing or stale, then build the similarity indexes") { backend };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            await using var scope = host.Services.CreateAsyncScope();
            var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<EmbedTracksJob>().Single();
            var clock = Stopwatch.StartNew();
            var computed = await job.RunAsync(new EmbedJobParameters(parse.GetValue(backend)), new ConsoleProgress(), ct);
            foreach (var (id, count) in computed)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id}: {count} vectors computed"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {clock.Elapsed.TotalSeconds:0.0} s"));
            await host.StopAsync(ct);
            return 0;
        });
        return command;
    }
}
