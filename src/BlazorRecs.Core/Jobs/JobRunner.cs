using BlazorRecs.Core.Data;
using BlazorRecs.Core.Torch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlazorRecs.Core.Jobs;

/// <summary>
/// Runs queued jobs one at a time (they are CPU-heavy and the machine may have two cores), each in its own DI scope,
/// persisting progress at most twice a second and the outcome always.
/// </summary>
public sealed class JobRunner(
    JobService jobs,
    IServiceScopeFactory scopes,
    IDbContextFactory<BlazorRecsDbContext> contexts,
    TimeProvider time,
    ILogger<JobRunner> logger) : BackgroundService
{
    private static readonly TimeSpan PersistEvery = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        await foreach (long id in jobs.Queue.ReadAllAsync(stoppingToken))
        {
            await RunOneAsync(id, stoppingToken);
        }
    }

    // A job that was running when the process stopped cannot resume mid-way: mark it failed and say why; queued ones
    // are queued again.
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var unfinished = await db.Jobs.Where(j => j.State == JobState.Running || j.State == JobState.Queued)
            .OrderBy(j => j.Id).ToListAsync(cancellationToken);
        foreach (var job in unfinished)
        {
            if (job.State == JobState.Running)
            {
                job.State = JobState.Failed;
                job.Error = "interrupted: the server stopped while this job was running";
                job.FinishedAt = time.GetUtcNow();
            }
            else
            {
                jobs.TryRequeue(job.Id);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task RunOneAsync(long id, CancellationToken stoppingToken)
    {
        // Tracked before the job reads as running, so a cancel request can never fall between the two.
        var running = jobs.Track(id, stoppingToken);
        var cts = running.Cancel;
        Job? job;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            job = await db.Jobs.FindAsync([id], stoppingToken);
            if (job is not { State: JobState.Queued })
            {
                jobs.Untrack(id);
                return; // cancelled while queued, or already handled
            }

            job.State = JobState.Running;
            job.StartedAt = time.GetUtcNow();
            job.Message = "started";
            await db.SaveChangesAsync(stoppingToken);
        }

        jobs.Publish(JobSnapshot.From(job));
        var reporter = new PersistingProgress(jobs, contexts, time, logger, job);
        NativeHeap.Hold();
        IJobHandler? handler = null;
        Exception? failure = null;
        bool cancelled = false;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<JobControl>().FinishEarly = running.Finish.Token;
            handler = scope.ServiceProvider.GetServices<IJobHandler>().Single(h => h.Kind == job.Kind);
            await handler.RunAsync(job.ParametersJson, reporter, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception ex)
        {
            // A failing job must not stop the runner; its error is shown on the Jobs page.
            failure = ex;
            logger.LogError(ex, "Job {Id} ({Kind}) failed", job.Id, job.Kind);
        }
        finally
        {
            // Before the outcome is written: once a job reads as ended, cancelling it must answer "already ended".
            jobs.Untrack(id);
        }

        // What the job allocated natively and has freed (tensors it disposed, buffers), the heap policy would keep with
        // the process for reuse (NativeHeap): give it back while the server waits for the next job.
        NativeHeap.Release();

        if (cancelled)
        {
            bool shuttingDown = stoppingToken.IsCancellationRequested;
            await FinishAsync(job, shuttingDown ? JobState.Failed : JobState.Cancelled,
                shuttingDown ? "interrupted: the server stopped while this job was running" : null, "cancelled", reporter.Curve);
            stoppingToken.ThrowIfCancellationRequested();
        }
        else if (failure is not null)
        {
            await FinishAsync(job, JobState.Failed, failure.Message, reporter.LastMessage, reporter.Curve);
        }
        else
        {
            await FinishAsync(job, JobState.Succeeded, null, reporter.LastMessage ?? "done", reporter.Curve);
            await QueueFollowUpsAsync(handler!.FollowUps, stoppingToken);
        }
    }

    // A follow-up already waiting in the queue covers this request too.
    private async Task QueueFollowUpsAsync(IReadOnlyList<string> kinds, CancellationToken cancellationToken)
    {
        foreach (string kind in kinds)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await db.Jobs.AnyAsync(j => j.Kind == kind && j.State == JobState.Queued, cancellationToken))
            {
                await jobs.EnqueueAsync(kind, null, cancellationToken);
            }
        }
    }

    private async Task FinishAsync(Job job, JobState state, string? error, string? message, IReadOnlyList<CurvePoint> curve)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        var stored = await db.Jobs.FindAsync(job.Id);
        if (stored is null)
        {
            return;
        }

        stored.State = state;
        stored.Error = error;
        stored.Message = message;
        stored.FinishedAt = time.GetUtcNow();
        stored.CurveJson = JobCurves.Serialize(curve);
        if (state == JobState.Succeeded)
        {
            stored.Progress = 1;
        }
        else
        {
            stored.Progress = Math.Max(stored.Progress, job.Progress);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        jobs.Publish(JobSnapshot.From(stored));
    }

    /// <summary>Publishes every report at once and writes it to the database at most twice a second.</summary>
    private sealed class PersistingProgress(
        JobService jobs,
        IDbContextFactory<BlazorRecsDbContext> contexts,
        TimeProvider time,
        ILogger logger,
        Job job) : IProgress<JobProgress>
    {
        private readonly Lock _gate = new();
        private readonly List<CurvePoint> _curve = [];
        private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;

        public string? LastMessage { get; private set; }

        public IReadOnlyList<CurvePoint> Curve
        {
            get
            {
                lock (_gate)
                {
                    return [.. _curve];
                }
            }
        }

        public void Report(JobProgress value)
        {
            JobSnapshot snapshot;
            bool write;
            lock (_gate)
            {
                job.Progress = Math.Clamp(value.Fraction, 0, 1);
                if (value.Message is not null)
                {
                    job.Message = LastMessage = value.Message;
                }

                if (value.Points is { Count: > 0 } points)
                {
                    _curve.AddRange(points);
                }

                snapshot = JobSnapshot.From(job, [.. _curve]);
                var now = time.GetUtcNow();
                // A new curve point is rare and worth keeping: it is written at once.
                write = now - _lastWrite >= PersistEvery || value.Points is { Count: > 0 };
                if (write)
                {
                    _lastWrite = now;
                }
            }

            jobs.Publish(snapshot);
            if (write)
            {
                // Never on the reporting thread: Microsoft.Data.Sqlite waits for a busy database synchronously, and
                // a job holding a write transaction while it reports would wait for itself.
                _ = Task.Run(() => PersistAsync(snapshot));
            }
        }

        private async Task PersistAsync(JobSnapshot snapshot)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync();
                string? curve = JobCurves.Serialize(snapshot.Curve);
                await db.Jobs.Where(j => j.Id == snapshot.Id && j.State == JobState.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Progress, snapshot.Progress)
                        .SetProperty(j => j.Message, snapshot.Message)
                        .SetProperty(j => j.CurveJson, curve));
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                // Progress is advisory; the outcome is always written by FinishAsync.
                logger.LogDebug(ex, "Could not persist progress of job {Id}", snapshot.Id);
            }
        }
    }
}
