using System.Text.Json;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Recommenders.Knn;
using BlazorRecs.Core.Recommenders.Popularity;
using BlazorRecs.Core.Recommenders.ShallowNet;
using BlazorRecs.Core.Torch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Recommenders;

/// <summary>A (model, backend) pair: <see cref="Backend"/> is null for popularity and the random-init variants.</summary>
/// <param name="Model">The model id (<c>pop</c>, <c>knn</c>, <c>shallow-net</c>, <c>bert4rec</c>).</param>
/// <param name="Backend">The embedding backend whose vectors are the items, or null.</param>
public sealed record RecommenderPair(string Model, string? Backend)
{
    /// <summary>The backend column of the paper's table: the backend id, "random init", or "–" for popularity.</summary>
    public string BackendLabel => Backend ?? (Model == PopularityRecommender.ModelId ? "–" : RandomInit);

    /// <summary>How the random-init variants are labelled.</summary>
    public const string RandomInit = "random init";

    /// <inheritdoc />
    public override string ToString() => $"{Model}/{BackendLabel}";
}

/// <summary>A trained pair's test results on the temporal split, hot and cold.</summary>
/// <param name="Pair">What was trained.</param>
/// <param name="Hot">Hot test metrics.</param>
/// <param name="Cold">Cold-start test metrics (ranking only cold tracks); null when there are no cold cases.</param>
/// <param name="TrainedModelId">The saved checkpoint's row.</param>
public sealed record PairResult(RecommenderPair Pair, EvaluationResult Hot, EvaluationResult? Cold, int TrainedModelId);

/// <summary>
/// Trains recommenders on the catalog's temporal split, evaluates them on hot and cold test listeners, and saves each
/// as a checkpoint with a <see cref="TrainedModel"/> row. Used by the training and evaluation jobs and the CLI.
/// </summary>
public sealed class RecommenderTraining(
    CatalogData data,
    TorchRuntime torchRuntime,
    IOptions<Bert4RecOptions> bert4Rec,
    IOptions<ShallowNetOptions> shallowNet,
    IOptions<BlazorRecsOptions> options,
    IDbContextFactory<BlazorRecsDbContext> contexts,
    TimeProvider time)
{
    /// <summary>The cut-offs the Evaluate page reports (the paper's table uses 50).</summary>
    public static readonly int[] Cutoffs = [10, 50];

    /// <summary>Which models take which item representations.</summary>
    public static readonly IReadOnlyList<(string Model, bool Content, bool RandomInit)> Models =
    [
        (PopularityRecommender.ModelId, false, false),
        (KnnRecommender.ModelId, true, false),
        (ShallowNetRecommender.ModelId, true, true),
        (Bert4RecRecommender.ModelId, true, true),
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every pair for these backends: popularity, then each model with each backend and its random init.</summary>
    public static IReadOnlyList<RecommenderPair> Pairs(IReadOnlyList<string> backends) =>
    [
        .. Models.SelectMany(m => (m.Content ? backends.Select(b => new RecommenderPair(m.Model, b)) : [])
            .Concat(m.RandomInit || !m.Content ? [new RecommenderPair(m.Model, null)] : [])),
    ];

    /// <summary>The catalog's temporal split.</summary>
    public async Task<TemporalSplit> SplitAsync(TemporalSplitSettings settings, CancellationToken cancellationToken)
    {
        var (tracks, listens) = await data.LogAsync(cancellationToken);
        return TemporalSplit.Create(tracks, listens, settings);
    }

    /// <summary>The reason a model id is refused, naming the known ones; null when it is known.</summary>
    public static string? UnknownModel(string model) =>
        Models.Any(m => m.Model == model) ? null : $"Unknown model '{model}'. Known: {string.Join(", ", Models.Select(m => m.Model))}.";

    /// <summary>Whether <paramref name="pair"/> can be trained: a known model, with a backend exactly when it needs one.</summary>
    /// <exception cref="ArgumentException">It cannot, with the reason.</exception>
    public static void CheckPair(RecommenderPair pair)
    {
        var known = Models.FirstOrDefault(m => m.Model == pair.Model);
        if (known.Model is null)
        {
            throw new ArgumentException(UnknownModel(pair.Model)!);
        }

        if (pair.Backend is not null && !known.Content)
        {
            throw new ArgumentException($"'{pair.Model}' does not use audio vectors; train it without a backend.");
        }

        if (pair.Backend is null && known.Content && !known.RandomInit)
        {
            throw new ArgumentException($"'{pair.Model}' needs a backend: it has no learned item vectors.");
        }
    }

    /// <summary>Trains <paramref name="pair"/> on <paramref name="split"/>, evaluates it and saves the checkpoint;
    /// <paramref name="finishEarly"/> ends the training of an epoch-trained model after its current epoch, and what it
    /// has is evaluated and saved all the same.</summary>
    /// <exception cref="ArgumentException">The pair is not a known model or lacks a backend it needs.</exception>
    public async Task<PairResult> TrainAsync(TemporalSplit split, RecommenderPair pair, IProgress<TrainingProgress>? progress,
        long? jobId, CancellationToken cancellationToken, CancellationToken finishEarly = default)
    {
        CheckPair(pair);

        ItemFeatures? features = pair.Backend is null ? null : await data.FeaturesAsync(pair.Backend, split.TrackIds, cancellationToken);
        var training = split.TrainingData(features);
        var device = torchRuntime.Device;
        using var model = await Task.Run(() => Train(pair, training, device, progress, cancellationToken, finishEarly), cancellationToken);

        var hot = RankingEvaluator.Evaluate(model, split.HotTest, Cutoffs, split.HotCandidates, cancellationToken: cancellationToken);
        EvaluationResult? cold = split.ColdTest.Count == 0
            ? null
            : RankingEvaluator.Evaluate(model, split.ColdTest, Cutoffs, split.ColdCandidates, cancellationToken: cancellationToken);

        var now = time.GetUtcNow();
        string relative = Path.Combine("recommenders", $"{pair.Model}-{pair.Backend ?? "random"}-{now:yyyyMMddHHmmssfff}");
        string directory = Path.Combine(options.Value.DataPath, relative);
        Save(model, directory);
        await File.WriteAllTextAsync(Path.Combine(directory, ItemsFile), JsonSerializer.Serialize(split.TrackIds, Json), cancellationToken);

        string? backendVersion = null;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (pair.Backend is not null)
        {
            backendVersion = await db.EmbeddingBackends.Where(b => b.Id == pair.Backend).Select(b => b.Version).FirstOrDefaultAsync(cancellationToken);
        }

        var row = new TrainedModel
        {
            Model = pair.Model,
            BackendId = pair.Backend,
            BackendVersion = backendVersion,
            CheckpointPath = relative,
            HyperParametersJson = pair.Model switch
            {
                Bert4RecRecommender.ModelId => JsonSerializer.Serialize(bert4Rec.Value, Json),
                ShallowNetRecommender.ModelId => JsonSerializer.Serialize(shallowNet.Value, Json),
                _ => null,
            },
            MetricsJson = JsonSerializer.Serialize(new { cutoff = split.Cutoff, hot = Means(hot), cold = cold is null ? null : Means(cold) }, Json),
            JobId = jobId,
            CreatedAt = now,
        };
        db.TrainedModels.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return new PairResult(pair, hot, cold, row.Id);
    }

    /// <summary>The file in a checkpoint folder that lists the track id of each item index at training.</summary>
    public const string ItemsFile = "items.json";

    private IRecommender Train(RecommenderPair pair, TrainingData training, TorchSharp.torch.Device device,
        IProgress<TrainingProgress>? progress, CancellationToken ct, CancellationToken finishEarly) => pair.Model switch
    {
        PopularityRecommender.ModelId => PopularityRecommender.Train(training),
        KnnRecommender.ModelId => KnnRecommender.Create(training.Features!, training.KnownItems),
        ShallowNetRecommender.ModelId => new ShallowNetTrainer(shallowNet.Value, device).Train(training, progress, ct, finishEarly),
        Bert4RecRecommender.ModelId => new Bert4RecTrainer(bert4Rec.Value, device).Train(training, progress, ct, finishEarly),
        _ => throw new ArgumentException($"Unknown model '{pair.Model}'"),
    };

    /// <summary>Writes a trained model's checkpoint to <paramref name="directory"/>.</summary>
    internal static void Save(IRecommender model, string directory)
    {
        Directory.CreateDirectory(directory);
        switch (model)
        {
            case Bert4RecRecommender bert:
                bert.Save(directory);
                break;
            case PopularityRecommender pop:
                pop.Save(directory);
                break;
            case ShallowNetRecommender shallow:
                shallow.Save(directory);
                break;
            case KnnRecommender knn:
                knn.Save(directory);
                break;
            default:
                throw new NotSupportedException($"No checkpoint format for {model.Model}");
        }
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/>.</summary>
    internal static IRecommender Load(string model, string directory, TorchSharp.torch.Device device) => model switch
    {
        Bert4RecRecommender.ModelId => Bert4RecRecommender.Load(directory, device),
        PopularityRecommender.ModelId => PopularityRecommender.Load(directory),
        ShallowNetRecommender.ModelId => ShallowNetRecommender.Load(directory, device),
        KnnRecommender.ModelId => KnnRecommender.Load(directory),
        _ => throw new ArgumentException($"Unknown model '{model}'"),
    };

    private static Dictionary<string, double> Means(EvaluationResult result) =>
        result.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value.Mean);
}
