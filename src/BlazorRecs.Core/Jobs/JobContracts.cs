namespace BlazorRecs.Core.Jobs;

/// <summary>Progress of a running job: a fraction in [0, 1], a line for people, and optionally new points of its
/// training curves (for example the loss after an epoch).</summary>
public readonly record struct JobProgress(double Fraction, string? Message = null, IReadOnlyList<CurvePoint>? Points = null);

/// <summary>One point of a named curve a job draws, for example ("train loss", epoch 3, 1.27).</summary>
public sealed record CurvePoint(string Series, double X, double Y);

/// <summary>A snapshot of a job for the UI and the API.</summary>
public sealed record JobSnapshot(
    long Id,
    string Kind,
    string? Parameters,
    JobState State,
    double Progress,
    string? Message,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<CurvePoint> Curve)
{
    /// <summary>How long the job ran (or has been running, measured to <paramref name="now"/>).</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } s ? (FinishedAt ?? now) - s : null;

    internal static JobSnapshot From(Job job) => From(job, JobCurves.Parse(job.CurveJson));

    internal static JobSnapshot From(Job job, IReadOnlyList<CurvePoint> curve) => new(job.Id, job.Kind, job.ParametersJson, job.State,
        job.Progress, job.Message, job.Error, job.CreatedAt, job.StartedAt, job.FinishedAt, curve);
}

/// <summary>
/// Does one kind of long work. Handlers are resolved from a fresh DI scope per run, report progress through
/// the given progress, and must honour the cancellation token.
/// </summary>
public interface IJobHandler
{
    /// <summary>The job kind this handler runs, for example <c>seed</c>.</summary>
    string Kind { get; }

    /// <summary>Whether the job cannot run without parameters (an import needs its path); such jobs are started from
    /// their own forms rather than a plain "start" button.</summary>
    bool RequiresParameters => false;

    /// <summary>Whether a running job of this kind with these parameters can be asked to finish early and keep what it
    /// has: a training job stops after its current epoch and saves what it learned as it would have at the end (a
    /// validated model its best weights so far, the contrastive CNN its last). Such a handler reads the request from
    /// <see cref="JobControl.FinishEarly"/>.</summary>
    bool CanFinishEarly(string? parametersJson) => false;

    /// <summary>Job kinds to queue (with default parameters) after this one succeeds: new tracks get embedded.</summary>
    IReadOnlyList<string> FollowUps => [];

    /// <summary>Checks parameters when the job is queued, so a request with malformed ones is refused at once
    /// rather than queued to fail later.</summary>
    /// <exception cref="ArgumentException">The parameters cannot run, with the reason.</exception>
    void CheckParameters(string? parametersJson)
    {
    }

    /// <summary>Runs the job; <paramref name="parametersJson"/> is what was given when it was queued.</summary>
    Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken);
}

/// <summary>
/// What a running job can be asked besides cancelling, resolved from the job's own DI scope: the runner sets it before
/// it resolves the handler.
/// </summary>
public sealed class JobControl
{
    /// <summary>Signalled when someone asks the running job to finish early (<see cref="JobService.FinishEarlyAsync"/>);
    /// never signalled outside a job, or for a job that cannot finish early.</summary>
    public CancellationToken FinishEarly { get; internal set; }
}

/// <summary>The answer to a request to finish a job early.</summary>
public enum FinishEarlyOutcome
{
    /// <summary>The job was told; it finishes at its next epoch boundary.</summary>
    Requested,

    /// <summary>No such job is running (it is queued, has ended, or does not exist).</summary>
    NotRunning,

    /// <summary>The job runs, but has nothing to keep part-way (no epochs to stop between): cancel it instead.</summary>
    NotSupported,
}

/// <summary>Reports progress within a sub-range of a parent's [0, 1], so steps of a job can each count from 0 to 1.</summary>
public sealed class SubProgress(IProgress<JobProgress> parent, double from, double to) : IProgress<JobProgress>
{
    /// <inheritdoc />
    public void Report(JobProgress value) =>
        parent.Report(value with { Fraction = from + (to - from) * Math.Clamp(value.Fraction, 0, 1) });
}

/// <summary>Reads and writes <see cref="Job.CurveJson"/>.</summary>
internal static class JobCurves
{
    public static IReadOnlyList<CurvePoint> Parse(string? json) => string.IsNullOrEmpty(json)
        ? []
        : System.Text.Json.JsonSerializer.Deserialize<List<CurvePoint>>(json, JsonOptions) ?? [];

    public static string? Serialize(IReadOnlyList<CurvePoint> curve) =>
        curve.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(curve, JsonOptions);

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web);
}
