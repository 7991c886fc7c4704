using BlazorRecs.Core.Recommenders;

namespace BlazorRecs.Core.Evaluation.Splits;

/// <summary>One listen: who, which track (catalog id), when.</summary>
/// <param name="Listener">The listener id.</param>
/// <param name="Track">The track id.</param>
/// <param name="At">When it started.</param>
public readonly record struct Listen(int Listener, int Track, DateTimeOffset At);

/// <summary>Where a temporal split cuts and how it divides the month after the cut.</summary>
/// <param name="Cutoff">Training ends here; null: one evaluation window before the newest listen.</param>
/// <param name="TrainingMonths">How far back training reaches from the cutoff (the paper: 12).</param>
/// <param name="EvaluationMonths">The window after the cutoff split into validation and test (the paper: 1).</param>
/// <param name="Seed">The seed of the 50/50 listener split.</param>
public sealed record TemporalSplitSettings(DateTimeOffset? Cutoff = null, int TrainingMonths = 12, int EvaluationMonths = 1, int Seed = 42);

/// <summary>
/// The paper's temporal split of a listening log:
/// <list type="bullet">
/// <item>training: listens in the <c>TrainingMonths</c> before the cutoff; a listener's sequence is their distinct
/// tracks in order of first listen;</item>
/// <item>the month after the cutoff: its listeners are split 50/50 at random (fixed seed) into validation and test;</item>
/// <item>hot cases: a listener's first-time listens of tracks that are in training; listeners absent from training
/// are dropped;</item>
/// <item>cold cases (the 2026 follow-up): listens of tracks that first appear after the cutoff; cold ranking is over
/// the cold tracks only (<see cref="ColdCandidates"/>).</item>
/// </list>
/// Items are every catalog track (dense indices, <see cref="TrackIds"/>), so content models can score cold tracks;
/// hot ranking is restricted to tracks seen in training (<see cref="HotCandidates"/>).
/// </summary>
public sealed record TemporalSplit(
    DateTimeOffset Cutoff,
    IReadOnlyList<int> TrackIds,
    IReadOnlyList<int> ListenerIds,
    int[][] Train,
    IReadOnlyList<EvaluationCase> Validation,
    IReadOnlyList<EvaluationCase> HotTest,
    IReadOnlyList<EvaluationCase> ColdTest,
    bool[] HotCandidates,
    bool[] ColdCandidates)
{
    /// <summary>How many items (catalog tracks) there are.</summary>
    public int ItemCount => TrackIds.Count;

    /// <summary>The item index of each track id.</summary>
    public IReadOnlyDictionary<int, int> ItemOf { get; } = TrackIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);

    /// <summary>Training data for a model; <paramref name="features"/> are the items' vectors for content models.</summary>
    public TrainingData TrainingData(ItemFeatures? features = null) => new(ItemCount, Train, Validation, features, HotCandidates, ColdCandidates);

    /// <summary>Splits <paramref name="listens"/> (any order) over a catalog of <paramref name="trackIds"/>.</summary>
    /// <exception cref="ArgumentException">There are no listens, or none before the cutoff.</exception>
    public static TemporalSplit Create(IReadOnlyList<int> trackIds, IReadOnlyList<Listen> listens, TemporalSplitSettings settings)
    {
        if (listens.Count == 0)
        {
            throw new ArgumentException("There are no listens to split: seed or import a listening log first.", nameof(listens));
        }

        var ordered = listens.OrderBy(l => l.At).ThenBy(l => l.Listener).ThenBy(l => l.Track).ToList();
        var cutoff = settings.Cutoff ?? ordered[^1].At.AddMonths(-settings.EvaluationMonths);
        var trainFrom = cutoff.AddMonths(-settings.TrainingMonths);
        // Exclusive. With the cutoff derived from the log, the window ends just after its newest listen, which month
        // arithmetic alone could miss by days (31 March - 1 month = 28 February, + 1 month = 28 March).
        var evaluationEnd = settings.Cutoff is null ? ordered[^1].At.AddTicks(1) : cutoff.AddMonths(settings.EvaluationMonths);
        var itemOf = trackIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);

        // First appearance of every track in the whole log, for the cold definition.
        var firstHeard = new Dictionary<int, DateTimeOffset>();
        foreach (var l in ordered)
        {
            firstHeard.TryAdd(l.Track, l.At);
        }

        // Training sequences: distinct tracks by first listen within the window.
        var sequences = new Dictionary<int, List<int>>();
        var seen = new Dictionary<int, HashSet<int>>();
        var hot = new bool[trackIds.Count];
        foreach (var l in ordered.Where(l => l.At >= trainFrom && l.At < cutoff))
        {
            if (!itemOf.TryGetValue(l.Track, out int item))
            {
                continue;
            }

            if (!seen.TryGetValue(l.Listener, out var heard))
            {
                seen[l.Listener] = heard = [];
                sequences[l.Listener] = [];
            }

            if (heard.Add(item))
            {
                sequences[l.Listener].Add(item);
                hot[item] = true;
            }
        }

        if (sequences.Count == 0)
        {
            throw new ArgumentException($"No listens in the {settings.TrainingMonths} months before the cutoff {cutoff:yyyy-MM-dd}.", nameof(listens));
        }

        var listenerIds = sequences.Keys.Order().ToList();
        var userOf = listenerIds.Select((id, u) => (id, u)).ToDictionary(p => p.id, p => p.u);
        var train = listenerIds.Select(id => sequences[id].ToArray()).ToArray();
        // Cold: first heard in the evaluation window (a track that appears only later did not exist yet).
        var cold = trackIds.Select(id => firstHeard.TryGetValue(id, out var at) && at >= cutoff && at < evaluationEnd).ToArray();

        // The evaluation window: per training listener, first-time hot listens and cold listens.
        var hotTargets = new Dictionary<int, List<int>>();
        var coldTargets = new Dictionary<int, List<int>>();
        foreach (var l in ordered.Where(l => l.At >= cutoff && l.At < evaluationEnd))
        {
            if (!userOf.TryGetValue(l.Listener, out int user) || !itemOf.TryGetValue(l.Track, out int item))
            {
                continue;
            }

            var targets = hot[item] ? hotTargets : cold[item] ? coldTargets : null;
            if (targets is null || seen[l.Listener].Contains(item))
            {
                continue;
            }

            if (!targets.TryGetValue(user, out var list))
            {
                targets[user] = list = [];
            }

            if (!list.Contains(item))
            {
                list.Add(item);
            }
        }

        // 50/50 by listener, fixed seed: a listener's hot and cold cases fall on the same side.
        var evaluated = hotTargets.Keys.Union(coldTargets.Keys).Order().ToArray();
        new Random(settings.Seed).Shuffle(evaluated);
        var validationUsers = evaluated.Take(evaluated.Length / 2).ToHashSet();

        EvaluationCase Case(int user, List<int> relevant) => new(user, train[user], [.. relevant], [.. train[user].Distinct()]);
        var validation = hotTargets.Where(t => validationUsers.Contains(t.Key)).OrderBy(t => t.Key).Select(t => Case(t.Key, t.Value)).ToList();
        var hotTest = hotTargets.Where(t => !validationUsers.Contains(t.Key)).OrderBy(t => t.Key).Select(t => Case(t.Key, t.Value)).ToList();
        var coldTest = coldTargets.Where(t => !validationUsers.Contains(t.Key)).OrderBy(t => t.Key).Select(t => Case(t.Key, t.Value)).ToList();
        return new(cutoff, trackIds, listenerIds, train, validation, hotTest, coldTest, hot, cold);
    }
}
