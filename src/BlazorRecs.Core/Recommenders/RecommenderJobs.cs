using System.Globalization;
using System.Text.Json;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Jobs;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Recommenders;

/// <summary>The parameters of the train-recommender job: one model, with a backend or (null) its random init.</summary>
public sealed record TrainRecommenderParameters(string Model, string? Backend = null);

/// <summary>The parameters of the evaluate job: which models and backends (null: all of them).</summary>
public sealed record EvaluateRecommendersParameters(IReadOnlyList<string>? Models = null, IReadOnlyList<string>? Backends = null);

/// <summary>One row of a saved evaluation run (the paper's Table 3).</summary>
/// <param name="Model">The model id.</param>
/// <param name="Backend">The backend column: a backend id, "random init" or "–".</param>
/// <param name="Hot">Hot test metrics with intervals.</param>
/// <param name="Cold">Cold test metrics with intervals, or null.</param>
/// <param name="HotListeners">Listeners in the hot test.</param>
/// <param name="ColdListeners">Listeners in the cold test.</param>
/// <param name="HotVersusRandomInit">For an audio model that has a random-init variant in the same run: the paired
/// difference from it on the same hot listeners (<see cref="PairedComparison"/>); otherwise null, as in runs saved
/// before these were kept.</param>
/// <param name="ColdVersusRandomInit">The same on the cold listeners.</param>
public sealed record EvaluationRunRow(string Model, string Backend, IReadOnlyDictionary<string, MeanWithInterval> Hot,
    IReadOnlyDictionary<string, MeanWithInterval>? Cold, int HotListeners, int ColdListeners,
    IReadOnlyDictionary<string, MeanWithInterval>? HotVersusRandomInit = null,
    IReadOnlyDictionary<string, MeanWithInterval>? ColdVersusRandomInit = null)
{
    /// <summary>The rows of <paramref name="results"/>, each audio model with its paired difference from the same
    /// model's random init where the run has one.</summary>
    public static IReadOnlyList<EvaluationRunRow> Of(IReadOnlyList<PairResult> results) => [.. results.Select(r =>
    {
        var randomInit = r.Pair.Backend is null ? null : results.FirstOrDefault(o => o.Pair.Model == r.Pair.Model && o.Pair.Backend is null);
        return new EvaluationRunRow(r.Pair.Model, r.Pair.BackendLabel, r.Hot.Metrics, r.Cold?.Metrics, r.Hot.Listeners, r.Cold?.Listeners ?? 0,
            randomInit is null ? null : PairedComparison.Versus(r.Hot, randomInit.Hot),
            randomInit?.Cold is { } coldBaseline && r.Cold is { } cold ? PairedComparison.Versus(cold, coldBaseline) : null);
    })];

    /// <summary>This row's paired differences from its random init as the paired tables print them: hot, then cold,
    /// each where there is one.</summary>
    public IEnumerable<PairedRow> PairedRows()
    {
        foreach (var (split, difference) in new[] { ("hot", HotVersusRandomInit), ("cold", ColdVersusRandomInit) })
        {
            if (difference is not null)
            {
                yield return new PairedRow($"{Model}/{Backend}", split, difference);
            }
        }
    }
}

/// <summary>Turns a trainer's epoch reports into job progress with loss and validation curve points.</summary>
internal sealed class TrainingToJobProgress(IProgress<JobProgress> job, string label) : IProgress<TrainingProgress>
{
    /// <summary>The curve quantity of training loss points (one chart per quantity).</summary>
    public const string Loss = "training loss";

    /// <summary>The curve quantity of validation points.</summary>
    public const string Validation = "validation";

    /// <summary>Whether the trainer ended on a request to finish early (not at its own stopping point).</summary>
    public bool FinishedOnRequest { get; private set; }

    public void Report(TrainingProgress value)
    {
        FinishedOnRequest |= value.FinishedOnRequest;
        var points = new List<CurvePoint>();
        if (value.TrainLoss is { } loss)
        {
            points.Add(new CurvePoint($"{Loss}: {label}", value.Epoch, loss));
        }

        if (value.ValidationScore is { } score)
        {
            points.Add(new CurvePoint($"{Validation}: {label}", value.Epoch, score));
        }

        job.Report(new JobProgress(value.Fraction, $"{label}: {value.Message}", points.Count > 0 ? points : null));
    }
}

/// <summary>The "train-recommender" job: trains one (model, backend) pair on the temporal split and saves it. Asked to
/// finish early, an epoch-trained model (Shallow Net, BERT4Rec) stops after its current epoch and the best weights so
/// far are evaluated and saved; popularity and KNN have no epochs, and such a job cannot be asked.</summary>
public sealed class TrainRecommenderJob(RecommenderTraining training, JobControl control) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "train-recommender";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <inheritdoc />
    public bool RequiresParameters => true;

    /// <inheritdoc />
    public bool CanFinishEarly(string? parametersJson)
    {
        try
        {
            return PairOf(parametersJson).Model is ShallowNet.ShallowNetRecommender.ModelId or Bert4Rec.Bert4RecRecommender.ModelId;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void CheckParameters(string? parametersJson) => RecommenderTraining.CheckPair(PairOf(parametersJson));

    /// <inheritdoc />
    public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var pair = PairOf(parametersJson);
        progress.Report(new JobProgress(0, "splitting the listening log"));
        var split = await training.SplitAsync(new TemporalSplitSettings(), cancellationToken);
        var epochs = new TrainingToJobProgress(progress, pair.ToString());
        var result = await training.TrainAsync(split, pair, epochs, null, cancellationToken, control.FinishEarly);
        // Only when the request ended the training: one that came later (while it was evaluated or saved) changed nothing.
        string early = epochs.FinishedOnRequest ? " (finished early on request)" : "";
        progress.Report(new JobProgress(1, string.Create(CultureInfo.InvariantCulture,
            $"{pair}{early}: hot HR@50 {result.Hot["HR@50"]:0.0000}, NDCG@50 {result.Hot["NDCG@50"]:0.0000}{(result.Cold is { } c ? $"; cold HR@50 {c["HR@50"]:0.0000}" : "")}")));
    }

    private static RecommenderPair PairOf(string? parametersJson)
    {
        const string Expected = "train-recommender needs {\"model\": ..., \"backend\": ...} (backend null or absent for random init and pop)";
        if (string.IsNullOrWhiteSpace(parametersJson))
        {
            throw new ArgumentException(Expected);
        }

        TrainRecommenderParameters? parameters;
        try
        {
            parameters = JsonSerializer.Deserialize<TrainRecommenderParameters>(parametersJson, Json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{Expected}: {ex.Message}", ex);
        }

        return parameters is { Model: { Length: > 0 } model } ? new RecommenderPair(model, parameters.Backend) : throw new ArgumentException(Expected);
    }
}

/// <summary>
/// The "evaluate" job: trains every (model, backend) pair on the temporal split, evaluates hot and cold, and saves
/// the table as an <see cref="EvaluationRun"/>.
/// </summary>
public sealed class EvaluateRecommendersJob(RecommenderTraining training, EmbeddingRegistry registry,
    IDbContextFactory<BlazorRecsDbContext> contexts, TimeProvider time) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "evaluate";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <inheritdoc />
    public Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken) =>
        RunAsync(string.IsNullOrWhiteSpace(parametersJson)
            ? new EvaluateRecommendersParameters()
            : JsonSerializer.Deserialize<EvaluateRecommendersParameters>(parametersJson, Json) ?? new(), progress, cancellationToken);

    /// <summary>Runs the evaluation and returns the saved run's id, each pair's results, and the rows saved.</summary>
    public async Task<(int RunId, IReadOnlyList<PairResult> Results, IReadOnlyList<EvaluationRunRow> Rows)> RunAsync(EvaluateRecommendersParameters parameters,
        IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        var backends = parameters.Backends
                       ?? registry.Describe().Where(b => b.Status == BackendStatus.Available).Select(b => b.Id).ToList();
        var pairs = RecommenderTraining.Pairs(backends)
            .Where(p => parameters.Models is null || parameters.Models.Contains(p.Model)).ToList();
        progress.Report(new JobProgress(0, "splitting the listening log"));
        var split = await training.SplitAsync(new TemporalSplitSettings(), cancellationToken);
        var results = new List<PairResult>();
        for (int i = 0; i < pairs.Count; i++)
        {
            var step = new SubProgress(progress, (double)i / pairs.Count, (double)(i + 1) / pairs.Count);
            results.Add(await training.TrainAsync(split, pairs[i], new TrainingToJobProgress(step, pairs[i].ToString()),
                null, cancellationToken));
        }

        var rows = EvaluationRunRow.Of(results);
        var run = new EvaluationRun
        {
            Dataset = "catalog",
            SettingsJson = JsonSerializer.Serialize(new
            {
                cutoff = split.Cutoff,
                trainingMonths = 12,
                items = split.ItemCount,
                listeners = split.ListenerIds.Count,
                validation = split.Validation.Count,
                coldTracks = split.ColdCandidates.Count(c => c),
            }, Json),
            ResultsJson = JsonSerializer.Serialize(rows, Json),
            CreatedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.EvaluationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        progress.Report(new JobProgress(1, $"{pairs.Count} pairs evaluated on {results.FirstOrDefault()?.Hot.Listeners ?? 0} hot test listeners; run {run.Id} saved"));
        return (run.Id, results, rows);
    }
}
