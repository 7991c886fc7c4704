using BlazorRecs.Core.Data;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Jobs;

public sealed class JobRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_runs_reports_progress_and_succeeds()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();
        var seen = new List<JobSnapshot>();
        jobs.Changed += s => { lock (seen) { seen.Add(s); } };

        var queued = await jobs.EnqueueAsync(CountingJob.JobKind, "5", Ct);
        var done = await WaitForEndAsync(jobs, queued.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(1.0, done.Progress);
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.FinishedAt);
        lock (seen)
        {
            Assert.Contains(seen, s => s.State == JobState.Running && s.Progress is > 0 and < 1);
        }
    }

    [Fact]
    public async Task Curve_points_a_job_reports_are_kept_in_order_with_the_job()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();

        var queued = await jobs.EnqueueAsync(CountingJob.JobKind, "4", Ct);
        var done = await WaitForEndAsync(jobs, queued.Id);

        // Read back from the database, not from the runner's memory.
        Assert.Equal([1.0, 2.0, 3.0, 4.0], done.Curve.Where(p => p.Series == "loss").Select(p => p.X));
        Assert.Equal([1.0, 0.5, 1 / 3.0, 0.25], done.Curve.Where(p => p.Series == "loss").Select(p => p.Y));
        var fresh = await jobs.ListAsync(10, Ct);
        Assert.Equal(4, Assert.Single(fresh, j => j.Id == queued.Id).Curve.Count);
    }

    [Fact]
    public async Task A_failing_job_is_marked_failed_with_its_error_and_the_runner_goes_on()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();

        var failing = await jobs.EnqueueAsync(CountingJob.JobKind, "-1", Ct);
        var next = await jobs.EnqueueAsync(CountingJob.JobKind, "2", Ct);

        var failed = await WaitForEndAsync(jobs, failing.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("steps must be positive", failed.Error, StringComparison.Ordinal);
        Assert.Equal(JobState.Succeeded, (await WaitForEndAsync(jobs, next.Id)).State);
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();
        var queued = await jobs.EnqueueAsync(CountingJob.JobKind, "100000", Ct);
        while ((await jobs.GetAsync(queued.Id, Ct))!.State == JobState.Queued)
        {
            await Task.Delay(20, Ct);
        }

        Assert.True(await jobs.CancelAsync(queued.Id, Ct));
        var ended = await WaitForEndAsync(jobs, queued.Id);

        Assert.Equal(JobState.Cancelled, ended.State);
        Assert.False(await jobs.CancelAsync(queued.Id, Ct));
    }

    [Fact]
    public async Task A_job_enters_the_queue_once_even_when_start_up_recovery_finds_it_queued_and_an_ended_job_cannot_be_cancelled()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();
        var queued = await jobs.EnqueueAsync(CountingJob.JobKind, "3", Ct);

        // What the runner's recovery does with a job the database holds as queued: enqueued already, so not again.
        Assert.False(jobs.TryRequeue(queued.Id));
        var ended = await WaitForEndAsync(jobs, queued.Id);

        Assert.Equal(JobState.Succeeded, ended.State);
        // A second turn in the queue used to make an ended job read as running, and cancellable, for a moment.
        for (int i = 0; i < 20; i++)
        {
            Assert.False(await jobs.CancelAsync(queued.Id, Ct));
            await Task.Delay(5, Ct);
        }
    }

    [Fact]
    public async Task Unknown_job_kinds_are_refused()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.EnqueueAsync("no-such-kind", null, Ct));
        Assert.Empty(await jobs.ListAsync(10, Ct));
    }

    [Theory]
    [InlineData(null, "needs {\"model\"")]
    [InlineData("{\"model\": ", "needs {\"model\"")]
    [InlineData("{\"backend\": \"mfcc\"}", "needs {\"model\"")]
    [InlineData("{\"model\": \"sasrec\"}", "Unknown model 'sasrec'")]
    [InlineData("{\"model\": \"knn\"}", "needs a backend")]
    [InlineData("{\"model\": \"pop\", \"backend\": \"mfcc\"}", "does not use audio vectors")]
    public async Task Train_recommender_parameters_that_cannot_run_are_refused_when_queued(string? parameters, string reason)
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => jobs.EnqueueAsync(TrainRecommenderJob.JobKind, parameters, Ct));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Empty(await jobs.ListAsync(10, Ct));
    }

    [Fact]
    public async Task Reporting_progress_while_the_job_holds_a_write_transaction_does_not_wait_for_the_lock()
    {
        await using var host = await StartAsync();
        var jobs = host.Services.GetRequiredService<JobService>();

        var queued = await jobs.EnqueueAsync(LockHoldingJob.JobKind, null, Ct);
        var done = await WaitForEndAsync(jobs, queued.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        // Persisting progress needs the write lock this job holds; doing it on the reporting thread used to stall the
        // job for the whole busy timeout (10 s) at every report.
        Assert.True(LockHoldingJob.LongestReport < TimeSpan.FromSeconds(5), $"a report took {LockHoldingJob.LongestReport}");
    }

    private static Task<TestHost> StartAsync() => TestHost.StartAsync(b =>
    {
        b.AddBlazorRecsJobRunner();
        b.Services.AddJobHandler<CountingJob>();
        b.Services.AddJobHandler<LockHoldingJob>();
    });

    /// <summary>Holds a SQLite write transaction (as bulk inserts do) while it reports progress.</summary>
    private sealed class LockHoldingJob(IDbContextFactory<BlazorRecsDbContext> contexts) : IJobHandler
    {
        public const string JobKind = "test-lock";

        public static TimeSpan LongestReport { get; private set; }

        public string Kind => JobKind;

        public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO Artists (Name) VALUES ('lock holder')", cancellationToken);
            for (int i = 1; i <= 3; i++)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                progress.Report(new JobProgress(i / 3.0, $"step {i}"));
                LongestReport = clock.Elapsed > LongestReport ? clock.Elapsed : LongestReport;
                await Task.Delay(600, cancellationToken); // past the runner's persistence throttle, so each report writes
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task<JobSnapshot> WaitForEndAsync(JobService jobs, long id)
    {
        for (int i = 0; i < 500; i++)
        {
            var job = await jobs.GetAsync(id, Ct);
            if (job is { State: JobState.Succeeded or JobState.Failed or JobState.Cancelled })
            {
                return job;
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException($"job {id} did not end");
    }

    /// <summary>A real job for the runner: counts to N, reporting progress, honouring cancellation.</summary>
    private sealed class CountingJob : IJobHandler
    {
        public const string JobKind = "test-count";

        public string Kind => JobKind;

        public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
        {
            int steps = int.Parse(parametersJson ?? "1", System.Globalization.CultureInfo.InvariantCulture);
            if (steps <= 0)
            {
                throw new ArgumentException($"steps must be positive, got {steps}");
            }

            for (int i = 1; i <= steps; i++)
            {
                await Task.Delay(5, cancellationToken);
                progress.Report(new JobProgress((double)i / steps, $"step {i}", [new CurvePoint("loss", i, 1.0 / i)]));
            }
        }
    }
}
