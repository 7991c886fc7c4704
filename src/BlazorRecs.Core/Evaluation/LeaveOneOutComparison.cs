using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Recommenders.Popularity;
using TorchSharp;

namespace BlazorRecs.Core.Evaluation;

/// <summary>
/// The check against the literature: leave-one-out full ranking on a dataset without audio (Amazon Beauty in the
/// S3Rec preprocessing), for popularity and BERT4Rec with learned item embeddings (random init). Each model is
/// trained on the training prefixes, early-stopped on the validation items, and scored on the last items.
/// </summary>
public static class LeaveOneOutComparison
{
    /// <summary>The models this comparison knows.</summary>
    public static readonly IReadOnlyList<string> Models = [PopularityRecommender.ModelId, Bert4RecRecommender.ModelId];

    /// <summary>Trains and evaluates each of <paramref name="models"/> on the leave-one-out split of
    /// <paramref name="sequences"/>; results are keyed by model id, in the order asked.</summary>
    /// <exception cref="ArgumentException">A model id is not one of <see cref="Models"/>.</exception>
    public static IReadOnlyList<(string Model, EvaluationResult Result)> Run(int itemCount, IReadOnlyList<int[]> sequences,
        IReadOnlyList<string> models, Bert4RecOptions options, torch.Device device, IReadOnlyList<int> cutoffs,
        IProgress<(string Model, TrainingProgress Progress)>? progress, CancellationToken cancellationToken)
    {
        var unknown = models.Except(Models).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Models)}", nameof(models));
        }

        var split = LeaveOneOutSplit.Create(itemCount, sequences);
        var results = new List<(string, EvaluationResult)>();
        foreach (string id in models)
        {
            var perModel = progress is null ? null : new Progress(id, progress);
            using IRecommender model = id == PopularityRecommender.ModelId
                ? PopularityRecommender.Train(split.KnownAtTest())
                : new Bert4RecTrainer(options, device).Train(split.TrainingData(), perModel, cancellationToken);
            results.Add((id, RankingEvaluator.Evaluate(model, split.Test, cutoffs, cancellationToken: cancellationToken)));
        }

        return results;
    }

    // Synchronous forwarding (System.Progress would post to the thread pool and reorder lines).
    private sealed class Progress(string model, IProgress<(string, TrainingProgress)> inner) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => inner.Report((model, value));
    }
}
