using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.ShallowNet;
using BlazorRecs.TestSupport;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Recommenders;

/// <summary>
/// Shallow Net on a task with a known answer: items sound like one of two clusters and every user keeps to one.
/// The audio variant must rank the user's cluster first, including items no one heard in training.
/// </summary>
[Collection(TorchTrainingCollection.Name)]
public sealed class ShallowNetTests
{
    private const int Items = 60;
    private const int Dim = 12;
    private static readonly ShallowNetOptions Small = new() { Hidden = 32, RandomInitDimension = 16, BatchSize = 256, MaxEpochs = 15, Patience = 15, Seed = 5 };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Audio_variant_learns_cluster_taste_keeps_items_frozen_and_starts_users_at_their_mean()
    {
        var (features, split) = World(seed: 1);
        // Items 50-59 occur in no history: say they were released after the training data ends. The table is
        // standardised with the statistics of the known items only.
        var data = split.TrainingData(features) with { ReleasedLater = [.. Enumerable.Range(0, Items).Select(i => i >= 50)] };
        Assert.Equal(50, data.KnownItems.Length);
        float[] before = features.Standardise(FeatureScaling.Of(features, data.KnownItems)).Values;
        using var model = new ShallowNetTrainer(Small with { MaxEpochs = 1 }, CPU).Train(data, null, Ct);
        // The item table is the standardised audio, untouched by training.
        Assert.Equal(before, model.Network.ItemTable.data<float>().ToArray());

        using var untrained = new ShallowNetTrainer(Small with { MaxEpochs = 1, LearningRate = 1e-9 }, CPU).Train(data, null, Ct);
        var user0 = untrained.Network.UserTable[0].data<float>().ToArray();
        var mean = new float[Dim];
        foreach (int item in split.Train[0])
        {
            for (int d = 0; d < Dim; d++)
            {
                mean[d] += before[item * Dim + d] / split.Train[0].Length;
            }
        }

        Assert.All(Enumerable.Range(0, Dim), d => Assert.Equal(mean[d], user0[d], 3));

        using var trained = new ShallowNetTrainer(Small, CPU).Train(split.TrainingData(features), null, Ct);
        // Learning the taste means ranking the user's cluster on top: of each user's top 10 unheard items, nearly all
        // are from it (chance: half).
        var scores = new float[Items];
        var top = new int[10];
        double inCluster = 0;
        foreach (var c in split.Test)
        {
            trained.Score([new RankingQuery(c.User, c.History)], scores);
            var candidates = Enumerable.Range(0, Items).Select(i => !c.Excluded.Contains(i)).ToArray();
            RankingEvaluator.TopK(scores, candidates, top);
            inCluster += top.Count(i => i % 2 == ClusterOf(c.User)) / 10.0 / split.Test.Count;
        }

        Assert.True(inCluster > 0.9, $"share of the user's cluster in the top 10: {inCluster:0.000}");
        // The held-out item is one of the 19 unheard items of the user's cluster (14 heard by others, 5 by no one), so
        // a ranking by cluster alone finds it in the top 10 about half the time; chance is 10/49.
        var result = RankingEvaluator.Evaluate(trained, split.Test, [10], cancellationToken: Ct);
        Assert.True(result["HR@10"] > 0.4, $"HR@10 {result["HR@10"]:0.000}");
    }

    [Fact]
    public void Cold_items_are_ranked_by_sound_only_with_audio_vectors()
    {
        var (features, split) = World(seed: 2);
        // Items 50-59 never appear in training: only their vectors can place them.
        var cold = Enumerable.Range(0, Items).Select(i => i >= 50).ToArray();
        // Relevant: the five cold items of the user's cluster; a perfect ranking puts all five in the top 5.
        var coldCases = split.Test.Select(c => new EvaluationCase(c.User, c.History,
            [.. Enumerable.Range(50, 10).Where(i => i % 2 == ClusterOf(c.User))], c.Excluded)).ToList();
        using var audio = new ShallowNetTrainer(Small, CPU).Train(split.TrainingData(features), null, Ct);
        using var random = new ShallowNetTrainer(Small, CPU).Train(split.TrainingData(), null, Ct);

        double audioRecall = RankingEvaluator.Evaluate(audio, coldCases, [5], cold, cancellationToken: Ct)["Recall@5"];
        double randomRecall = RankingEvaluator.Evaluate(random, coldCases, [5], cold, cancellationToken: Ct)["Recall@5"];
        Assert.True(audioRecall > 0.9, $"audio cold Recall@5 {audioRecall:0.000}");
        // Untrained random vectors for cold items: about half of the top 5 by chance.
        Assert.True(audioRecall > randomRecall + 0.2, $"audio {audioRecall:0.000} vs random init {randomRecall:0.000}");
        Assert.Throws<InvalidOperationException>(() => random.SetItems(features));
    }

    [Fact]
    public async Task A_saved_model_loads_and_scores_exactly_as_before()
    {
        var (features, split) = World(seed: 3);
        var queries = split.Test.Take(4).Select(c => new RankingQuery(c.User, c.History)).Append(new RankingQuery(-1, [1, 2, 3])).ToList();
        string dir = Directory.CreateTempSubdirectory("shallow-").FullName;
        try
        {
            foreach (var (name, itemFeatures) in new[] { ("audio", features), ("random", (ItemFeatures?)null) })
            {
                using var trained = new ShallowNetTrainer(Small with { MaxEpochs = 2 }, CPU).Train(split.TrainingData(itemFeatures), null, Ct);
                var before = new float[queries.Count * Items];
                trained.Score(queries, before);
                trained.Save(Path.Combine(dir, name));
                using var loaded = ShallowNetRecommender.Load(Path.Combine(dir, name), CPU);
                if (itemFeatures is not null)
                {
                    loaded.SetItems(itemFeatures);
                }

                var after = new float[queries.Count * Items];
                loaded.Score(queries, after);
                Assert.Equal(before, after);
            }
        }
        finally
        {
            await TempDirectory.DeleteAsync(dir);
        }
    }

    private static int ClusterOf(int user) => user % 2;

    // Items 0, 2, 4, ... sound like cluster 0, odd items like cluster 1; user u listens to cluster u % 2, items < 50.
    private static (ItemFeatures Features, LeaveOneOutSplit Split) World(int seed)
    {
        var random = new Random(seed);
        var values = new float[Items * Dim];
        for (int i = 0; i < Items; i++)
        {
            for (int d = 0; d < Dim; d++)
            {
                values[i * Dim + d] = (float)(random.NextDouble() - 0.5) * 0.8f + (d % 2 == i % 2 ? 1f : -1f);
            }
        }

        var sequences = Enumerable.Range(0, 200).Select(u => Enumerable.Range(0, 25).Select(i => i * 2 + ClusterOf(u))
            .OrderBy(_ => random.Next()).Take(12).ToArray()).ToArray();
        return (new ItemFeatures(values, Dim), LeaveOneOutSplit.Create(Items, sequences));
    }
}
