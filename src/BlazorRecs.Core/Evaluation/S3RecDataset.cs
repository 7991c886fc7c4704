using System.Globalization;

namespace BlazorRecs.Core.Evaluation;

/// <summary>
/// A literature dataset in the S3Rec preprocessing (Amazon Beauty and others): one line per user, the user id and then
/// the item ids in time order, separated by spaces. Item ids are mapped to dense indices in order of first appearance.
/// </summary>
/// <param name="Name">Where it came from, for reports.</param>
/// <param name="Sequences">Per user, item indices in time order.</param>
/// <param name="ItemIds">The original id of each item index.</param>
public sealed record S3RecDataset(string Name, IReadOnlyList<int[]> Sequences, IReadOnlyList<string> ItemIds)
{
    /// <summary>The number of distinct items.</summary>
    public int ItemCount => ItemIds.Count;

    /// <summary>The number of interactions.</summary>
    public long Interactions => Sequences.Sum(s => (long)s.Length);

    /// <summary>Reads the file; a malformed line fails with its file name and line number.</summary>
    /// <exception cref="FormatException">A line has no items.</exception>
    public static async Task<S3RecDataset> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"S3Rec dataset '{path}' not found", path);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        var sequences = new List<int[]>();
        int lineNumber = 0;
        await foreach (string line in File.ReadLinesAsync(path, cancellationToken))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}:{lineNumber}: expected a user id followed by item ids, got '{Truncate(line)}'"));
            }

            var seq = new int[parts.Length - 1];
            for (int i = 1; i < parts.Length; i++)
            {
                if (!index.TryGetValue(parts[i], out int item))
                {
                    item = ids.Count;
                    index[parts[i]] = item;
                    ids.Add(parts[i]);
                }

                seq[i - 1] = item;
            }

            sequences.Add(seq);
        }

        if (sequences.Count == 0)
        {
            throw new FormatException($"{path}: no users");
        }

        return new(Path.GetFileName(path), sequences, ids);
    }

    private static string Truncate(string line) => line.Length <= 60 ? line : line[..60] + "...";
}
