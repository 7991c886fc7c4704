namespace BlazorRecs.Core.Importing;

/// <summary>What an import did. Problems name the file and line; the first few are kept verbatim.</summary>
public sealed record ImportReport(int Added, int Unchanged, int Skipped, IReadOnlyList<string> Problems)
{
    /// <summary>How many problems are kept word for word; the rest are only counted.</summary>
    public const int MaxProblemsKept = 50;

    /// <summary>A one-line summary.</summary>
    public string Summary(string what) =>
        $"{Added:N0} {what} added, {Unchanged:N0} already present, {Skipped:N0} skipped" +
        (Problems.Count > 0 ? $"; first problem: {Problems[0]}" : "");
}

/// <summary>Collects problems without letting a bad file grow memory without bound.</summary>
internal sealed class ProblemLog
{
    private readonly List<string> _kept = [];

    public int Count { get; private set; }

    public IReadOnlyList<string> Kept => _kept;

    public void Add(string problem)
    {
        Count++;
        if (_kept.Count < ImportReport.MaxProblemsKept)
        {
            _kept.Add(problem);
        }
    }
}
