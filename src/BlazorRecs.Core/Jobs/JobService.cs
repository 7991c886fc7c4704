using System.Collections.Concurrent;
using System.Threading.Channels;
using BlazorRecs.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Jobs;

/// <summary>
/// Queues jobs (persisted, so they survive a browser refresh and show on the Jobs page), lets people cancel them,
/// and tells subscribers about every change. The <see cref="JobRunner"/> background service does the work.
/// </summary>
public sealed class JobService(IDbContextFactory<BlazorRecsDbContext> contexts, TimeProvider time, IServiceScopeFactory scopes)
{
    // Bounded: a burst of requests waits for room instead of growing without limit.
    private readonly Channel<long> _queue = Channel.CreateBounded<long>(new BoundedChannelOptions(256) { SingleReader = true });
    private readonly ConcurrentDictionary<long, RunningJob> _running = new();

    // Every id written to the queue in this process. The runner's start-up recovery requeues the jobs the database
    // holds as queued, which includes any enqueued while it starts: without this a job could enter the queue twice,
    // and its second turn would briefly read as running (cancellable) after it had ended.
    private readonly ConcurrentDictionary<long, byte> _queued = new();
    // Handlers are scoped (one per run); their kinds are read once from a throwaway scope.
    private readonly Lazy<(HashSet<string> All, string[] Plain)> _kinds = new(() =>
    {
        using var scope = scopes.CreateScope();
        var handlers = scope.ServiceProvider.GetServices<IJobHandler>().ToList();
        return (handlers.Select(h => h.Kind).ToHashSet(StringComparer.Ordinal),
            handlers.Where(h => !h.RequiresParameters).Select(h => h.Kind).Distinct().Order(StringComparer.Ordinal).ToArray());
    });

    // Whether each running job can finish early, asked of its handler once (a job's kind and parameters never change);
    // forgotten when the job ends, so the map holds the running jobs only.
    private readonly ConcurrentDictionary<long, bool> _canFinishEarly = new();

    /// <summary>Raised after a job is queued, progresses, or ends. Handlers must be quick and must not throw.</summary>
    public event Action<JobSnapshot>? Changed;

    internal ChannelReader<long> Queue => _queue.Reader;

    /// <summary>The job kinds that have a handler.</summary>
    public IReadOnlyCollection<string> Kinds => _kinds.Value.All;

    /// <summary>The job kinds that can start with default parameters.</summary>
    public IReadOnlyList<string> KindsWithoutParameters => _kinds.Value.Plain;

    /// <summary>Whether <paramref name="job"/> can be asked to finish early (<see cref="IJobHandler.CanFinishEarly"/>).</summary>
    public bool CanFinishEarly(JobSnapshot job)
    {
        if (_canFinishEarly.TryGetValue(job.Id, out bool known))
        {
            return known;
        }

        using var scope = scopes.CreateScope();
        bool can = scope.ServiceProvider.GetServices<IJobHandler>().FirstOrDefault(h => h.Kind == job.Kind)?.CanFinishEarly(job.Parameters) ?? false;
        if (_running.ContainsKey(job.Id))
        {
            _canFinishEarly[job.Id] = can;
        }

        return can;
    }

    /// <summary>Queues a job of <paramref name="kind"/>; returns its snapshot.</summary>
    /// <exception cref="ArgumentException">No handler runs jobs of that kind.</exception>
    public async Task<JobSnapshot> EnqueueAsync(string kind, string? parametersJson = null, CancellationToken cancellationToken = default)
    {
        if (!Kinds.Contains(kind))
        {
            throw new ArgumentException($"Unknown job kind '{kind}'. Known: {string.Join(", ", Kinds.Order())}.", nameof(kind));
        }

        using (var scope = scopes.CreateScope())
        {
            scope.ServiceProvider.GetServices<IJobHandler>().First(h => h.Kind == kind).CheckParameters(parametersJson);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = new Job { Kind = kind, State = JobState.Queued, ParametersJson = parametersJson, CreatedAt = time.GetUtcNow(), Message = "queued" };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        var snapshot = JobSnapshot.From(job);
        Changed?.Invoke(snapshot);
        if (_queued.TryAdd(job.Id, 0))
        {
            await _queue.Writer.WriteAsync(job.Id, cancellationToken);
        }

        return snapshot;
    }

    /// <summary>Asks a queued or running job to stop. Returns false when it has already ended or does not exist.</summary>
    public async Task<bool> CancelAsync(long id, CancellationToken cancellationToken = default)
    {
        if (_running.TryGetValue(id, out var running))
        {
            try
            {
                await running.Cancel.CancelAsync();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false; // it ended while we looked
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.FindAsync([id], cancellationToken);
        if (job is not { State: JobState.Queued })
        {
            return false;
        }

        job.State = JobState.Cancelled;
        job.FinishedAt = time.GetUtcNow();
        job.Message = "cancelled before it started";
        await db.SaveChangesAsync(cancellationToken);
        Changed?.Invoke(JobSnapshot.From(job));
        return true;
    }

    /// <summary>Asks a running job to finish early and keep what it has (<see cref="IJobHandler.CanFinishEarly"/>): a
    /// training job ends after its current epoch and saves what it learned.</summary>
    public async Task<FinishEarlyOutcome> FinishEarlyAsync(long id, CancellationToken cancellationToken = default)
    {
        if (!_running.TryGetValue(id, out var running))
        {
            return FinishEarlyOutcome.NotRunning;
        }

        if (await GetAsync(id, cancellationToken) is not { } job)
        {
            return FinishEarlyOutcome.NotRunning;
        }

        if (!CanFinishEarly(job))
        {
            return FinishEarlyOutcome.NotSupported;
        }

        try
        {
            await running.Finish.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return FinishEarlyOutcome.NotRunning; // it ended while we looked
        }

        return FinishEarlyOutcome.Requested;
    }

    /// <summary>The newest jobs first.</summary>
    public async Task<IReadOnlyList<JobSnapshot>> ListAsync(int take = 100, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var jobs = await db.Jobs.AsNoTracking().OrderByDescending(j => j.Id).Take(take).ToListAsync(cancellationToken);
        return jobs.Select(JobSnapshot.From).ToList();
    }

    /// <summary>One job, or null.</summary>
    public async Task<JobSnapshot?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        return job is null ? null : JobSnapshot.From(job);
    }

    internal RunningJob Track(long id, CancellationToken stopping)
    {
        var running = new RunningJob(CancellationTokenSource.CreateLinkedTokenSource(stopping), new CancellationTokenSource());
        _running[id] = running;
        return running;
    }

    internal void Untrack(long id)
    {
        if (_running.TryRemove(id, out var running))
        {
            running.Cancel.Dispose();
            running.Finish.Dispose();
        }

        _canFinishEarly.TryRemove(id, out _);
    }

    /// <summary>A running job's two requests: stop and lose the work (<see cref="Cancel"/>), or finish early and keep it.</summary>
    internal sealed record RunningJob(CancellationTokenSource Cancel, CancellationTokenSource Finish);

    internal void Publish(JobSnapshot snapshot) => Changed?.Invoke(snapshot);

    internal bool TryRequeue(long id) => _queued.TryAdd(id, 0) && _queue.Writer.TryWrite(id);
}
