using BlazorRecs.Core.Recommenders;

namespace BlazorRecs.Core.Evaluation;

/// <summary>One listener to evaluate: what the model sees, what it must find, and what it may not recommend.</summary>
/// <param name="User">The training-time user index.</param>
/// <param name="History">The model's input, oldest first.</param>
/// <param name="Relevant">The held-out items to find.</param>
/// <param name="Excluded">Items never ranked for this listener (their training items).</param>
public sealed record EvaluationCase(int User, int[] History, int[] Relevant, int[] Excluded);

/// <summary>Mean and 95% interval of each metric, keyed like <c>HR@10</c>, <c>Recall@50</c>, <c>NDCG@50</c>.</summary>
/// <param name="Metrics">The metrics.</param>
/// <param name="Listeners">How many listeners were evaluated.</param>
/// <param name="PerListener">Each metric's value for each listener, in the order of the cases evaluated, for paired
/// comparisons of two models on the same listeners (<see cref="PairedComparison"/>); kept in memory, not saved.</param>
/// <param name="Users">The listener (user index) of each of those values, in the same order.</param>
public sealed record EvaluationResult(IReadOnlyDictionary<string, MeanWithInterval> Metrics, int Listeners,
    IReadOnlyDictionary<string, double[]>? PerListener = null, int[]? Users = null)
{
    /// <summary>One metric's mean, or NaN when it was not computed.</summary>
    public double this[string metric] => Metrics.TryGetValue(metric, out var m) ? m.Mean : double.NaN;
}

/// <summary>
/// Full-ranking evaluation: every item is scored, the listener's excluded items and (for cold evaluation) every item
/// outside the candidate set are removed, and the metrics are computed on the top K.
/// </summary>
public static class RankingEvaluator
{
    /// <summary>The cut-offs the paper's table and the Beauty check report.</summary>
    public static readonly int[] DefaultCutoffs = [5, 10, 20, 50];

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="cases"/>.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="cases">The listeners.</param>
    /// <param name="cutoffs">The K values.</param>
    /// <param name="candidates">Items that may be ranked (cold-start evaluation ranks only cold items), or null for all.</param>
    /// <param name="batchSize">Listeners scored per call of the model.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static EvaluationResult Evaluate(IRecommender model, IReadOnlyList<EvaluationCase> cases, IReadOnlyList<int> cutoffs,
        bool[]? candidates = null, int batchSize = 256, CancellationToken cancellationToken = default)
    {
        int n = model.ItemCount;
        int maxK = cutoffs.Max();
        var values = new Dictionary<string, List<double>>();
        foreach (int k in cutoffs)
        {
            values[$"HR@{k}"] = [];
            values[$"Recall@{k}"] = [];
            values[$"NDCG@{k}"] = [];
        }

        var scores = new float[Math.Min(batchSize, Math.Max(1, cases.Count)) * n];
        var ranked = new int[maxK];
        for (int start = 0; start < cases.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = cases.Skip(start).Take(batchSize).ToList();
            model.Score(batch.Select(c => new RankingQuery(c.User, c.History)).ToList(), scores.AsSpan(0, batch.Count * n));
            for (int b = 0; b < batch.Count; b++)
            {
                var row = scores.AsSpan(b * n, n);
                foreach (int item in batch[b].Excluded)
                {
                    row[item] = float.NegativeInfinity;
                }

                int count = TopK(row, candidates, ranked);
                var relevant = batch[b].Relevant.ToHashSet();
                foreach (int k in cutoffs)
                {
                    var top = ranked.AsSpan(0, Math.Min(k, count));
                    values[$"HR@{k}"].Add(RankingMetrics.HitRate(top, relevant, k));
                    values[$"Recall@{k}"].Add(RankingMetrics.Recall(top, relevant, k));
                    values[$"NDCG@{k}"].Add(RankingMetrics.Ndcg(top, relevant, k));
                }
            }
        }

        return new(values.ToDictionary(kv => kv.Key, kv => MeanWithInterval.Of(kv.Value)), cases.Count,
            values.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), [.. cases.Select(c => c.User)]);
    }

    /// <summary>
    /// The indices of the highest finite scores, best first, into <paramref name="ranked"/> (its length is K); ties go
    /// to the lower index so results do not depend on the order of a sort. Returns how many were found.
    /// </summary>
    public static int TopK(ReadOnlySpan<float> scores, bool[]? candidates, Span<int> ranked)
    {
        int k = ranked.Length;
        // A min-heap of the best K so far: most items are rejected by one comparison with its root.
        var heap = new PriorityQueue<int, (float Score, int NegIndex)>(k + 1);
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (float.IsNegativeInfinity(s) || float.IsNaN(s) || (candidates is not null && !candidates[i]))
            {
                continue;
            }

            if (heap.Count < k)
            {
                heap.Enqueue(i, (s, -i));
            }
            else if (heap.TryPeek(out _, out var worst) && (s > worst.Score || (s == worst.Score && -i > worst.NegIndex)))
            {
                heap.EnqueueDequeue(i, (s, -i));
            }
        }

        int count = heap.Count;
        for (int at = count - 1; at >= 0; at--)
        {
            ranked[at] = heap.Dequeue();
        }

        return count;
    }
}
