namespace BlazorRecs.Core.Recommenders.Popularity;

/// <summary>The floor every model must beat: items ranked by how often they occur in training, the same for everyone.</summary>
public sealed class PopularityRecommender : IRecommender
{
    /// <summary>The model id.</summary>
    public const string ModelId = "pop";

    private readonly float[] _counts;

    /// <summary>Creates the ranking from per-item training counts.</summary>
    public PopularityRecommender(float[] counts) => _counts = counts;

    /// <inheritdoc />
    public string Model => ModelId;

    /// <inheritdoc />
    public int ItemCount => _counts.Length;

    /// <summary>The per-item counts (the model's whole state).</summary>
    public IReadOnlyList<float> Counts => _counts;

    /// <summary>Counts every training interaction.</summary>
    public static PopularityRecommender Train(TrainingData data)
    {
        var counts = new float[data.ItemCount];
        foreach (int[] seq in data.Sequences)
        {
            foreach (int item in seq)
            {
                counts[item]++;
            }
        }

        return new(counts);
    }

    /// <inheritdoc />
    public void Score(IReadOnlyList<RankingQuery> queries, Span<float> scores)
    {
        for (int q = 0; q < queries.Count; q++)
        {
            _counts.CopyTo(scores.Slice(q * _counts.Length, _counts.Length));
        }
    }

    /// <summary>Writes the counts to <c>popularity.json</c> in <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CountsFile), System.Text.Json.JsonSerializer.Serialize(_counts));
    }

    /// <summary>Reads counts written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder has no counts.</exception>
    public static PopularityRecommender Load(string directory)
    {
        string path = Path.Combine(directory, CountsFile);
        return new(System.Text.Json.JsonSerializer.Deserialize<float[]>(File.ReadAllText(path))
                   ?? throw new InvalidDataException($"'{path}' is empty"));
    }

    private const string CountsFile = "popularity.json";

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
