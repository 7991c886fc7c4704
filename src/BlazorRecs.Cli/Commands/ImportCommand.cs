using System.CommandLine;
using BlazorRecs.Core.Importing;
using BlazorRecs.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Cli.Commands;

/// <summary><c>blazorrecs import folder|log PATH</c>: an operator's own music and listening logs.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var folderPath = new Argument<string>("path") { Description = "A folder of audio files (scanned recursively)" };
        var folder = new Command("folder", "Import every ffmpeg-readable audio file below a folder, with tags read by ffprobe") { folderPath };
        folder.TreatUnmatchedTokensAsErrors = false;
        folder.SetAction((parse, ct) => RunAsync(parse.UnmatchedTokens, sp => sp.GetRequiredService<FolderImporter>()
            .ImportAsync(parse.GetValue(folderPath)!, new ConsoleProgress(), ct), "tracks", ct));

        var logPath = new Argument<string>("path") { Description = "A TSV file: user_id, track_id, timestamp[, ms_played]" };
        var log = new Command("log", "Import a listening log (the shape of Music4All-Onion's userid_trackid_timestamp.tsv)") { logPath };
        log.TreatUnmatchedTokensAsErrors = false;
        log.SetAction((parse, ct) => RunAsync(parse.UnmatchedTokens, sp => sp.GetRequiredService<ListeningLogImporter>()
            .ImportAsync(parse.GetValue(logPath)!, new ConsoleProgress(), ct), "plays", ct));

        return new Command("import", "Import an operator's data") { folder, log };
    }

    private static async Task<int> RunAsync(IEnumerable<string> configuration, Func<IServiceProvider, Task<ImportReport>> import, string what, CancellationToken ct)
    {
        using IHost host = CliHost.Build(configuration);
        await host.StartAsync(ct);
        ImportReport report;
        try
        {
            report = await import(host.Services);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        await Console.Out.WriteLineAsync(report.Summary(what));
        foreach (string problem in report.Problems)
        {
            await Console.Error.WriteLineAsync($"  skipped: {problem}");
        }

        await host.StopAsync(ct);
        return 0;
    }
}
