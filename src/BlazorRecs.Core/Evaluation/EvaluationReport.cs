using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BlazorRecs.Core.Evaluation;

/// <summary>
/// One row of an evaluation table: a model on a backend (null for models without audio) and a split (for example
/// <c>hot</c>, <c>cold</c> or <c>test</c>), with its metrics.
/// </summary>
/// <param name="Model">The model id.</param>
/// <param name="Backend">The embedding backend, or null.</param>
/// <param name="Split">Which evaluation set.</param>
/// <param name="Result">The metrics with their intervals.</param>
public sealed record EvaluationRow(string Model, string? Backend, string Split, EvaluationResult Result)
{
    /// <summary>How the row is named in tables and JSON: <c>model</c> or <c>model/backend</c>.</summary>
    public string Name => Backend is null ? Model : $"{Model}/{Backend}";
}

/// <summary>One model's paired difference from its baseline on one split (<see cref="PairedComparison"/>), as the
/// paired tables print it.</summary>
/// <param name="Name">The model, as <c>model/backend</c>.</param>
/// <param name="Split">Which evaluation set (<c>hot</c>, <c>cold</c>).</param>
/// <param name="Difference">Each metric's mean difference with its 95% interval.</param>
public sealed record PairedRow(string Name, string Split, IReadOnlyDictionary<string, MeanWithInterval> Difference);

/// <summary>Writes evaluation tables as JSON (means, keyed by row name), CSV (with interval bounds) and Markdown.</summary>
public static class EvaluationReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// <c>{"pop": {"HR@10": 0.01, ...}, "bert4rec": {...}}</c> for a single split; with several splits the keys
    /// become <c>name [split]</c>. Metric keys are ordered by metric and then K.
    /// </summary>
    public static string Json(IReadOnlyList<EvaluationRow> rows)
    {
        bool manySplits = rows.Select(r => r.Split).Distinct().Count() > 1;
        var table = new Dictionary<string, SortedDictionary<string, double>>();
        foreach (var row in rows)
        {
            var metrics = new SortedDictionary<string, double>(MetricOrder.Instance);
            foreach (var (key, value) in row.Result.Metrics)
            {
                metrics[key] = Math.Round(value.Mean, 6);
            }

            table[manySplits ? $"{row.Name} [{row.Split}]" : row.Name] = metrics;
        }

        return JsonSerializer.Serialize(table, Indented);
    }

    /// <summary>One line per (row, metric): model, backend, split, metric, mean, lower, upper, listeners.</summary>
    public static string Csv(IReadOnlyList<EvaluationRow> rows)
    {
        var text = new StringBuilder("model,backend,split,metric,mean,ci_lower,ci_upper,listeners\n");
        foreach (var row in rows)
        {
            foreach (var (metric, value) in row.Result.Metrics.OrderBy(kv => kv.Key, MetricOrder.Instance))
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{row.Model},{row.Backend},{row.Split},{metric},{value.Mean:0.######},{value.Lower:0.######},{value.Upper:0.######},{value.Count}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>A Markdown table: one line per row, one column per metric (mean ± 95% half-width).</summary>
    public static string Markdown(IReadOnlyList<EvaluationRow> rows)
    {
        var metrics = rows.SelectMany(r => r.Result.Metrics.Keys).Distinct().Order(MetricOrder.Instance).ToList();
        var text = new StringBuilder();
        text.Append("| model | backend | split | listeners | ").AppendJoin(" | ", metrics).Append(" |\n");
        text.Append("|---|---|---|---:|").Append(string.Concat(metrics.Select(_ => "---:|"))).Append('\n');
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Model} | {row.Backend ?? "–"} | {row.Split} | {row.Result.Listeners} | ");
            text.AppendJoin(" | ", metrics.Select(m => row.Result.Metrics.TryGetValue(m, out var v) ? v.ToString() : "")).Append(" |\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// A Markdown table of paired differences from a baseline on the same listeners (<see cref="PairedComparison"/>):
    /// one line per row, each metric as the mean difference and its 95% interval, in bold where it holds for its
    /// column (the rows of one split at one metric) after Holm's correction (<see cref="PairedComparison.HoldAfterHolm"/>).
    /// </summary>
    public static string PairedMarkdown(IReadOnlyList<PairedRow> rows)
    {
        var metrics = rows.SelectMany(r => r.Difference.Keys).Distinct().Order(MetricOrder.Instance).ToList();
        var holds = HoldsByColumn(rows);
        var text = new StringBuilder();
        text.Append("| model | split | ").AppendJoin(" | ", metrics.Select(m => $"Δ {m}")).Append(" |\n");
        text.Append("|---|---|").Append(string.Concat(metrics.Select(_ => "---:|"))).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            var (name, split, difference) = rows[i];
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {split} | ");
            text.AppendJoin(" | ", metrics.Select(m => difference.TryGetValue(m, out var d) ? Signed(d, holds.Contains((i, m))) : "")).Append(" |\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The paired differences as CSV, one line per (row, metric): model (<c>model/backend</c>), split, metric, the mean
    /// difference, its 95% interval, the listeners, and whether it holds for its column after Holm's correction.
    /// </summary>
    public static string PairedCsv(IReadOnlyList<PairedRow> rows)
    {
        var holds = HoldsByColumn(rows);
        var text = new StringBuilder("model,split,metric,difference,ci_lower,ci_upper,listeners,holds_after_holm\n");
        for (int i = 0; i < rows.Count; i++)
        {
            foreach (var (metric, d) in rows[i].Difference.OrderBy(kv => kv.Key, MetricOrder.Instance))
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{rows[i].Name},{rows[i].Split},{metric},{d.Mean:0.######},{d.Lower:0.######},{d.Upper:0.######},{d.Count},{(holds.Contains((i, metric)) ? "true" : "false")}\n");
            }
        }

        return text.ToString();
    }

    // Which (row, metric) differences hold for their column, the rows of one split at one metric, after Holm's correction.
    private static HashSet<(int Row, string Metric)> HoldsByColumn(
        IReadOnlyList<PairedRow> rows)
    {
        var holds = new HashSet<(int Row, string Metric)>();
        foreach (string metric in rows.SelectMany(r => r.Difference.Keys).Distinct())
        {
            foreach (var split in rows.Select((r, i) => (r, i)).Where(t => t.r.Difference.ContainsKey(metric)).GroupBy(t => t.r.Split))
            {
                var family = split.ToList();
                bool[] held = PairedComparison.HoldAfterHolm([.. family.Select(t => t.r.Difference[metric])]);
                holds.UnionWith(family.Where((_, k) => held[k]).Select(t => (t.i, metric)));
            }
        }

        return holds;
    }

    private static string Signed(MeanWithInterval d, bool holds)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{d.Mean:+0.0000;-0.0000;0.0000} [{d.Lower:+0.0000;-0.0000;0.0000}, {d.Upper:+0.0000;-0.0000;0.0000}]");
        return holds ? $"**{text}**" : text;
    }

    /// <summary>HR, Recall, NDCG, then by K numerically (so HR@5 comes before HR@10).</summary>
    private sealed class MetricOrder : IComparer<string>
    {
        public static readonly MetricOrder Instance = new();
        private static readonly string[] Names = ["HR", "Recall", "NDCG"];

        public int Compare(string? x, string? y) => Key(x).CompareTo(Key(y));

        private static (int, int, string) Key(string? metric)
        {
            var parts = (metric ?? "").Split('@');
            int name = Array.IndexOf(Names, parts[0]);
            int k = parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int v) ? v : 0;
            return (name < 0 ? Names.Length : name, k, metric ?? "");
        }
    }
}
