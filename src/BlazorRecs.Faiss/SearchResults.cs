namespace BlazorRecs.Faiss;

/// <summary>
/// The answer to a batch of queries: row <c>q</c> holds the <see cref="K"/> best ids and scores of query <c>q</c>,
/// best first. Where an index holds fewer than K vectors, the tail of a row has id -1.
/// </summary>
public sealed class SearchResults
{
    internal SearchResults(int queryCount, int k, float[] distances, long[] ids)
    {
        QueryCount = queryCount;
        K = k;
        Distances = distances;
        Ids = ids;
    }

    /// <summary>Number of queries.</summary>
    public int QueryCount { get; }

    /// <summary>Neighbours per query.</summary>
    public int K { get; }

    /// <summary>Row-major [QueryCount, K] scores (inner product or squared L2, by the index's metric).</summary>
    public float[] Distances { get; }

    /// <summary>Row-major [QueryCount, K] ids as given to <see cref="FaissIndex.Add"/>, -1 where there is none.</summary>
    public long[] Ids { get; }

    /// <summary>The ids of query <paramref name="query"/>'s neighbours, best first.</summary>
    public ReadOnlySpan<long> IdsOf(int query) => Ids.AsSpan(query * K, K);

    /// <summary>The scores of query <paramref name="query"/>'s neighbours, best first.</summary>
    public ReadOnlySpan<float> DistancesOf(int query) => Distances.AsSpan(query * K, K);
}
