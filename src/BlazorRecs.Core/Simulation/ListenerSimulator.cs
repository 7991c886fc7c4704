using System.Text.Json;

namespace BlazorRecs.Core.Simulation;

/// <summary>
/// The generative listener-taste model: simulates personas with sparse genre mixtures and acoustic preferences
/// listening in sessions over a catalog whose tracks are released over time. Pure computation (no database, no I/O);
/// deterministic in (seed, tracks, parameters). The model is described in seed/SIMULATION.md.
/// </summary>
public sealed class ListenerSimulator
{
    // Listeners are simulated in batches on all cores and handed out in index order: the batch bounds memory while
    // the caller is still inserting earlier listeners, and is big enough to keep two cores busy.
    private const int BatchSize = 64;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private readonly ListenerModelParameters _parameters;
    private readonly int _maxDegreeOfParallelism;

    /// <summary>Creates a simulator.</summary>
    /// <param name="parameters">Model parameters; <see cref="ListenerModelParameters.Default"/> when null.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; all cores when null. The output does not depend on it.</param>
    public ListenerSimulator(ListenerModelParameters? parameters = null, int? maxDegreeOfParallelism = null)
    {
        _parameters = parameters ?? ListenerModelParameters.Default;
        _parameters.Validate();
        if (maxDegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be at least 1");
        }

        _maxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount;
    }

    /// <summary>The parameters in use.</summary>
    public ListenerModelParameters Parameters => _parameters;

    /// <summary>
    /// The least a listen must last to count rather than be a skip: half the track or 30 s, whichever is less,
    /// rounded up to whole milliseconds (so "less than half of an odd duration" is exact in integers).
    /// </summary>
    public static int CountingThresholdMs(int durationMs) => Math.Min(30_000, (durationMs + 1) / 2);

    /// <summary>
    /// Simulates the listeners one after the other, in index order, each with its whole history in time order.
    /// Arguments are checked at the call; the work starts when enumeration does (the catalog indexes are built then).
    /// </summary>
    /// <exception cref="ArgumentException">A track is invalid (duplicate id, non-positive duration, missing
    /// descriptor) or the spec is (negative counts, an empty period).</exception>
    public IEnumerable<SimulatedListener> Simulate(SimulationSpec spec, IReadOnlyList<SimTrack> tracks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentOutOfRangeException.ThrowIfNegative(spec.ListenerCount);
        ArgumentOutOfRangeException.ThrowIfNegative(spec.TargetPlays);
        if (spec.HistoryEnd <= spec.HistoryStart)
        {
            throw new ArgumentException($"HistoryEnd ({spec.HistoryEnd:O}) must be after HistoryStart ({spec.HistoryStart:O}).", nameof(spec));
        }

        if (tracks.Count == 0 && spec.ListenerCount > 0 && spec.TargetPlays > 0)
        {
            throw new ArgumentException("There are no tracks to listen to.", nameof(tracks));
        }

        return SimulateIterator(spec, tracks, ct);
    }

    /// <summary>The hidden taste as compact JSON (camelCase), for storing with the listener.</summary>
    public static string TasteToJson(ListenerTaste taste)
    {
        ArgumentNullException.ThrowIfNull(taste);
        return JsonSerializer.Serialize(taste, JsonOptions);
    }

    /// <summary>Reads back what <see cref="TasteToJson"/> wrote, for a simulated online test.</summary>
    public static ListenerTaste TasteFromJson(string json) =>
        JsonSerializer.Deserialize<ListenerTaste>(json, JsonOptions) ?? throw new JsonException("The taste JSON is null.");

    private IEnumerable<SimulatedListener> SimulateIterator(SimulationSpec spec, IReadOnlyList<SimTrack> tracks, CancellationToken ct)
    {
        if (spec.ListenerCount == 0)
        {
            yield break;
        }

        var catalog = new SimCatalog(tracks, spec.Seed, _parameters, ct);
        int n = spec.ListenerCount;
        double[] activity = new double[n];
        for (int i = 0; i < n; i++)
        {
            activity[i] = ListenerRun.DrawActivity(spec.Seed, i, _parameters);
        }

        int[] budgets = PlayBudgets(spec, activity);
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = _maxDegreeOfParallelism };
        var batch = new SimulatedListener[BatchSize];
        for (int first = 0; first < n; first += BatchSize)
        {
            int count = Math.Min(BatchSize, n - first);
            int offset = first;
            Parallel.For(0, count, options, k =>
                batch[k] = ListenerRun.Simulate(catalog, _parameters, spec, offset + k, activity[offset + k], budgets[offset + k], ct));

            for (int k = 0; k < count; k++)
            {
                yield return batch[k];
            }
        }
    }

    /// <summary>
    /// Shares <see cref="SimulationSpec.TargetPlays"/> out in proportion to activity after a per-listener minimum, by
    /// largest remainder so the budgets add up exactly.
    /// </summary>
    private int[] PlayBudgets(SimulationSpec spec, double[] activity)
    {
        int n = activity.Length;
        long floorTotal = (long)_parameters.MinPlaysPerListener * n;
        int minimum = floorTotal <= spec.TargetPlays ? _parameters.MinPlaysPerListener : 0;
        double share = spec.TargetPlays - ((double)minimum * n);
        double total = activity.Sum();
        int[] budgets = new int[n];
        double[] remainder = new double[n];
        long assigned = 0;
        for (int i = 0; i < n; i++)
        {
            double exact = minimum + (share * activity[i] / total);
            budgets[i] = (int)Math.Floor(exact);
            remainder[i] = exact - budgets[i];
            assigned += budgets[i];
        }

        foreach (int i in Enumerable.Range(0, n).OrderByDescending(i => remainder[i]).ThenBy(i => i).Take((int)(spec.TargetPlays - assigned)))
        {
            budgets[i]++;
        }

        return budgets;
    }
}
