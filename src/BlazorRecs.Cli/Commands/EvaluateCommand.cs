using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Torch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Cli.Commands;

/// <summary>
/// <c>blazorrecs evaluate --dataset s3rec:PATH --models pop,bert4rec --json FILE</c>: the offline evaluation, printed
/// as a Markdown table and written as JSON, CSV and Markdown files. BERT4Rec's hyper-parameters come from the
/// <c>BlazorRecs:Bert4Rec</c> configuration section (for example <c>--BlazorRecs:Bert4Rec:MaxEpochs=50</c>).
/// </summary>
internal static class EvaluateCommand
{
    private const string S3RecPrefix = "s3rec:";

    public static Command Create()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = "catalog (the app's own tracks and plays; temporal split, hot and cold) or s3rec:PATH (one line per user: user id, then item ids in time order; leave-one-out)",
            DefaultValueFactory = _ => Catalog,
        };
        var models = new Option<string?>("--models") { Description = "Comma-separated model ids (default: s3rec pop,bert4rec; catalog all)" };
        var backends = new Option<string?>("--backends") { Description = "catalog only: comma-separated backend ids (default: every available one)" };
        var json = new Option<FileInfo?>("--json") { Description = "Write {model: {metric: mean}} here" };
        var csv = new Option<FileInfo?>("--csv") { Description = "Write one line per model and metric, with 95% intervals" };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Write the Markdown table here" };
        var pairedCsv = new Option<FileInfo?>("--paired-csv")
        {
            Description = "catalog only: write each audio model's paired difference from its random init here, one line per metric, with 95% intervals and whether it holds after Holm's correction",
        };
        var command = new Command("evaluate", "Train and evaluate recommenders with full ranking; reports HR, Recall and NDCG at 5, 10, 20 and 50")
        {
            dataset, models, backends, json, csv, markdown, pairedCsv,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            string source = parse.GetValue(dataset)!;
            bool catalog = string.Equals(source, Catalog, StringComparison.OrdinalIgnoreCase);
            if (!catalog && !source.StartsWith(S3RecPrefix, StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"--dataset '{source}': expected {Catalog} or s3rec:PATH");
                return 2;
            }

            var modelIds = List(parse.GetValue(models));
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            if (catalog)
            {
                var (table, paired) = await EvaluateCatalogAsync(host, modelIds, List(parse.GetValue(backends)), ct);
                await ReportAsync(table, parse.GetValue(json), parse.GetValue(csv), parse.GetValue(markdown), ct, paired);
                await WriteAsync(parse.GetValue(pairedCsv), EvaluationReport.PairedCsv(paired), ct);
                await host.StopAsync(ct);
                return 0;
            }

            modelIds ??= [.. LeaveOneOutComparison.Models];
            var torchRuntime = host.Services.GetRequiredService<TorchRuntime>();
            var options = host.Services.GetRequiredService<IOptions<Bert4RecOptions>>().Value;
            S3RecDataset data;
            try
            {
                data = await S3RecDataset.LoadAsync(source[S3RecPrefix.Length..], ct);
            }
            catch (Exception e) when (e is FormatException or UnauthorizedAccessException or IOException)
            {
                Console.Error.WriteLine($"--dataset: {e.Message}");
                return 2;
            }

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{data.Name}: {data.Sequences.Count} users, {data.ItemCount} items, {data.Interactions} interactions; device {torchRuntime.Device.type} ({torchRuntime.DeviceDetail})"));
            var clock = Stopwatch.StartNew();
            IReadOnlyList<(string Model, EvaluationResult Result)> results;
            try
            {
                results = LeaveOneOutComparison.Run(data.ItemCount, data.Sequences, modelIds, options, torchRuntime.Device,
                    RankingEvaluator.DefaultCutoffs, new TrainingLog(), ct);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            var rows = results.Select(r => new EvaluationRow(r.Model, null, "test", r.Result)).ToList();
            await ReportAsync(rows, parse.GetValue(json), parse.GetValue(csv), parse.GetValue(markdown), ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {clock.Elapsed.TotalMinutes:0.0} min"));
            await host.StopAsync(ct);
            return 0;
        });
        return command;
    }

    private const string Catalog = "catalog";

    private static string[]? List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // The evaluate job's work, in this process: every pair trained on the temporal split, saved as a run; with each
    // audio model's paired difference from its random init, where the run has one.
    private static async Task<(List<EvaluationRow> Rows, List<PairedRow> Paired)>
        EvaluateCatalogAsync(IHost host, string[]? models, string[]? backends, CancellationToken ct)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var job = scope.ServiceProvider.GetServices<BlazorRecs.Core.Jobs.IJobHandler>().OfType<EvaluateRecommendersJob>().Single();
        var (runId, results, saved) = await job.RunAsync(new EvaluateRecommendersParameters(models, backends), new ConsoleProgress(), ct);
        Console.Error.WriteLine($"saved as evaluation run {runId}");
        var rows = results.SelectMany(r => new[] { new EvaluationRow(r.Pair.Model, r.Pair.BackendLabel, "hot", r.Hot) }
            .Concat(r.Cold is null ? [] : [new EvaluationRow(r.Pair.Model, r.Pair.BackendLabel, "cold", r.Cold)])).ToList();
        return (rows, [.. saved.SelectMany(r => r.PairedRows())]);
    }

    private static async Task ReportAsync(List<EvaluationRow> rows, FileInfo? json, FileInfo? csv, FileInfo? markdown, CancellationToken ct,
        List<PairedRow>? paired = null)
    {
        string table = EvaluationReport.Markdown(rows);
        if (paired is { Count: > 0 })
        {
            // Below the table: does audio help? Each audio model against its own random init, on the same listeners.
            table += "\nPaired against the same model's random init, on the same listeners (mean difference [95% interval]; bold: it holds "
                     + "for its column, the rows of one split at one metric, after Holm's correction):\n\n"
                     + EvaluationReport.PairedMarkdown(paired);
        }

        Console.WriteLine(table);
        await WriteAsync(json, EvaluationReport.Json(rows), ct);
        await WriteAsync(csv, EvaluationReport.Csv(rows), ct);
        await WriteAsync(markdown, table, ct);
    }

    private static async Task WriteAsync(FileInfo? file, string text, CancellationToken ct)
    {
        if (file is not null)
        {
            file.Directory?.Create();
            await File.WriteAllTextAsync(file.FullName, text, ct);
        }
    }

    /// <summary>Epoch lines in full, batch lines at most every few seconds, on stderr.</summary>
    private sealed class TrainingLog : IProgress<(string Model, TrainingProgress Progress)>
    {
        private DateTime _last;

        public void Report((string Model, TrainingProgress Progress) value)
        {
            bool epochDone = value.Progress.TrainLoss is not null;
            if (!epochDone && DateTime.UtcNow - _last < TimeSpan.FromSeconds(5))
            {
                return;
            }

            _last = DateTime.UtcNow;
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {value.Model}: {value.Progress.Message}");
        }
    }
}
