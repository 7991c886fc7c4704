using System.Globalization;
using System.Text.Json;
using BlazorRecs.TestSupport;

namespace BlazorRecs.Cli.Tests;

/// <summary>
/// The literature check's contract, run as the README runs it: <c>evaluate --dataset s3rec:PATH --models pop,bert4rec
/// --json FILE</c> (plus the CSV and Markdown files), on a small synthetic dataset in the S3Rec format.
/// </summary>
public sealed class EvaluateCommandTests : IAsyncLifetime
{
    private static readonly string[] Metrics = ["HR", "Recall", "NDCG"];
    private static readonly int[] Cutoffs = [5, 10, 20, 50];

    private readonly string _directory = Directory.CreateTempSubdirectory("blazorrecs-cli-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await TempDirectory.DeleteAsync(_directory);

    [Fact]
    public async Task Evaluate_on_an_s3rec_file_writes_the_contracts_json_and_matching_csv_and_markdown()
    {
        // 90 users over 80 items: each history walks up the items one step at a time from its own start, so the
        // held-out next item is learnable, and the most popular items are not it.
        string dataset = Path.Combine(_directory, "walks.txt");
        var lines = Enumerable.Range(0, 90).Select(u => $"{u + 1} " + string.Join(' ', Enumerable.Range(0, 6 + u % 5).Select(i => (u * 7 + i) % 80 + 1)));
        await File.WriteAllLinesAsync(dataset, lines, TestContext.Current.CancellationToken);
        string json = Path.Combine(_directory, "out", "beauty.json"), csv = Path.Combine(_directory, "out", "beauty.csv"), markdown = Path.Combine(_directory, "out", "beauty.md");

        var run = await RunAsync("evaluate", $"--dataset", $"s3rec:{dataset}", "--models", "pop,bert4rec", "--json", json, "--csv", csv, "--markdown", markdown,
            "--BlazorRecs:Bert4Rec:MaxEpochs=3", "--BlazorRecs:Bert4Rec:MaxLength=20");
        Assert.True(run.ExitCode == 0, run.ToString());

        var table = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double>>>(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken))!;
        Assert.Equal(["pop", "bert4rec"], table.Keys);
        string[] keys = [.. Metrics.SelectMany(m => Cutoffs.Select(k => $"{m}@{k}"))];
        foreach (var metrics in table.Values)
        {
            Assert.Equal(keys.Order(), metrics.Keys.Order());
            Assert.All(metrics.Values, v => Assert.InRange(v, 0, 1));
            Assert.True(metrics["HR@5"] <= metrics["HR@10"] && metrics["HR@10"] <= metrics["HR@20"] && metrics["HR@20"] <= metrics["HR@50"]);
        }

        // The CSV holds the same means, with 95% intervals around them, for all 90 users.
        string[] csvLines = (await File.ReadAllLinesAsync(csv, TestContext.Current.CancellationToken));
        Assert.Equal("model,backend,split,metric,mean,ci_lower,ci_upper,listeners", csvLines[0]);
        Assert.Equal(1 + 2 * keys.Length, csvLines.Length);
        foreach (string line in csvLines.Skip(1))
        {
            string[] f = line.Split(',');
            double mean = Number(f[4]), lower = Number(f[5]), upper = Number(f[6]);
            Assert.Equal(table[f[0]][f[3]], mean, 6);
            Assert.True(lower <= mean && mean <= upper, line);
            Assert.Equal("90", f[7]);
        }

        // The Markdown table (also printed on stdout) has a column per metric and a row per model, mean ± half-width.
        string md = await File.ReadAllTextAsync(markdown, TestContext.Current.CancellationToken);
        Assert.StartsWith("| model | backend | split | listeners | HR@5 | HR@10 | HR@20 | HR@50 | Recall@5", md, StringComparison.Ordinal);
        string bertRow = md.Split('\n').Single(l => l.StartsWith("| bert4rec |", StringComparison.Ordinal));
        Assert.Equal(keys.Length, bertRow.Split('±').Length - 1);
        Assert.Contains(table["bert4rec"]["HR@10"].ToString("0.0000", CultureInfo.InvariantCulture), bertRow, StringComparison.Ordinal);
        Assert.Contains(md.Trim(), run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.txt", "not found")]
    [InlineData("one-field.txt", ":2: expected a user id followed by item ids")]
    public async Task A_dataset_that_cannot_be_read_is_a_clear_error_and_exit_code_2(string file, string message)
    {
        string path = Path.Combine(_directory, file);
        if (file != "missing.txt")
        {
            await File.WriteAllTextAsync(path, "1 5 6 7\n2\n", TestContext.Current.CancellationToken);
        }

        var run = await RunAsync("evaluate", "--dataset", $"s3rec:{path}", "--json", Path.Combine(_directory, "never.json"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // a message, not a stack trace
        Assert.False(File.Exists(Path.Combine(_directory, "never.json")));
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private Task<CliRun> RunAsync(params string[] args) => CliProcess.RunAsync(_directory, args);
}
