namespace BlazorRecs.Core.Jobs;

/// <summary>Progress of a running job: a fraction in [0, 1] and a line for people.</summary>
public readonly record struct JobProgress(double Fraction, string? Message = null);

/// <summary>A snapshot of a job for the UI and the API.</summary>
public sealed record JobSnapshot(
    long Id,
    string Kind,
    JobState State,
    double Progress,
    string? Message,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>How long the job ran (or has been running, measured to <paramref name="now"/>).</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } s ? (FinishedAt ?? now) - s : null;

    internal static JobSnapshot From(Job job) => new(job.Id, job.Kind, job.State, job.Progress, job.Message, job.Error,
        job.CreatedAt, job.StartedAt, job.FinishedAt);
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

    /// <summary>Job kinds to queue (with default parameters) after this one succeeds: new tracks get embedded.</summary>
    IReadOnlyList<string> FollowUps => [];

    /// <summary>Runs the job; <paramref name="parametersJson"/> is what was given when it was queued.</summary>
    Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken);
}

/// <summary>Reports progress within a sub-range of a parent's [0, 1], so steps of a job can each count from 0 to 1.</summary>
public sealed class SubProgress(IProgress<JobProgress> parent, double from, double to) : IProgress<JobProgress>
{
    /// <inheritdoc />
    public void Report(JobProgress value) =>
        parent.Report(value with { Fraction = from + (to - from) * Math.Clamp(value.Fraction, 0, 1) });
}
