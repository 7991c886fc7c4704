using BlazorRecs.Core.Evaluation.Splits;

namespace BlazorRecs.Core.Tests.Evaluation;

public sealed class TemporalSplitTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Small_log_by_hand_training_window_first_time_hot_listens_and_cold_tracks()
    {
        var cutoff = Start.AddMonths(13);
        Listen At(int listener, int track, int day) => new(listener, track, cutoff.AddDays(day));
        int[] tracks = [10, 11, 12, 13, 14, 15];
        var listens = new[]
        {
            At(1, 10, -400), // older than 12 months: not training
            At(1, 11, -30), At(1, 12, -20), At(1, 11, -10), // sequence 11, 12 (distinct, by first listen)
            At(2, 12, -5), At(2, 13, -4),
            At(1, 13, 3), At(1, 12, 4), // 13 is new to listener 1 (hot); 12 was heard before (not a target)
            At(1, 15, 5), // 15 first appears after the cutoff: cold
            At(2, 11, 6), At(2, 15, 7),
            At(3, 11, 8), // listener 3 is absent from training: dropped
            At(2, 14, 40), // after the evaluation month: ignored
        };
        var split = TemporalSplit.Create(tracks, listens, new TemporalSplitSettings(cutoff));

        int Item(int track) => split.ItemOf[track];
        Assert.Equal([1, 2], split.ListenerIds);
        Assert.Equal([Item(11), Item(12)], split.Train[0]);
        Assert.Equal([Item(12), Item(13)], split.Train[1]);
        Assert.Equal([false, true, true, true, false, false], split.HotCandidates);
        Assert.Equal([false, false, false, false, false, true], split.ColdCandidates);

        var cases = split.Validation.Concat(split.HotTest).OrderBy(c => c.User).ToList();
        Assert.Equal(2, cases.Count);
        Assert.Equal([Item(13)], cases[0].Relevant);
        Assert.Equal([Item(11)], cases[1].Relevant);
        Assert.Equal(split.Train[0], cases[0].History);
        Assert.Equal(split.Train[0].Order(), cases[0].Excluded.Order());
        // One listener each side of the 50/50 split; cold cases follow the same side as hot ones.
        Assert.Single(split.Validation);
        Assert.Single(split.HotTest);
        Assert.Equal(split.HotTest[0].User, Assert.Single(split.ColdTest).User);
        Assert.Equal([Item(15)], split.ColdTest[0].Relevant);
        // Validation ranks what the hot test ranks, so early stopping tracks the reported metric.
        Assert.Same(split.HotCandidates, split.TrainingData().ValidationCandidates);
        // Cold tracks did not exist yet for a model trained at the cutoff.
        Assert.Same(split.ColdCandidates, split.TrainingData().ReleasedLater);
        Assert.DoesNotContain(Item(15), split.TrainingData().KnownItems);
    }

    [Fact]
    public void The_default_cutoff_keeps_the_newest_listens_even_at_a_month_end()
    {
        // The newest listen is on 31 March; one month back clamps to 28 February, and one month on from that is
        // 28 March: the last days of March must still be evaluated.
        var newest = new DateTimeOffset(2025, 3, 31, 12, 0, 0, TimeSpan.Zero);
        Listen L(int listener, int track, DateTimeOffset at) => new(listener, track, at);
        var listens = new[]
        {
            L(1, 10, newest.AddDays(-60)), L(2, 10, newest.AddDays(-50)), L(1, 11, newest.AddDays(-40)), L(2, 11, newest.AddDays(-45)),
            L(1, 12, newest.AddDays(-35)), L(2, 12, newest.AddDays(-38)),
            L(1, 13, newest.AddDays(-70)),
            L(2, 13, newest.AddDays(-1)), L(1, 14, newest),
        };

        var split = TemporalSplit.Create([10, 11, 12, 13, 14], listens, new TemporalSplitSettings());

        Assert.Equal(new DateTimeOffset(2025, 2, 28, 12, 0, 0, TimeSpan.Zero), split.Cutoff);
        var hot = split.Validation.Concat(split.HotTest).ToList();
        // Listener 2's first listen of 13 (30 March) is a hot case; listener 1's 14 (31 March, first heard then) is cold.
        Assert.Equal([split.ItemOf[13]], Assert.Single(hot).Relevant);
        Assert.True(split.ColdCandidates[split.ItemOf[14]]);
    }

    [Fact]
    public void Random_log_never_leaks_test_items_into_training_and_keeps_cold_items_in_cold_only()
    {
        var random = new Random(11);
        int[] tracks = Enumerable.Range(100, 200).ToArray();
        var listens = new List<Listen>();
        for (int listener = 0; listener < 120; listener++)
        {
            for (int p = 0; p < 60; p++)
            {
                int day = random.Next(0, 14 * 30);
                // Tracks 250-299 are released in the final month.
                int track = day >= 13 * 30 + 5 && random.NextDouble() < 0.3 ? random.Next(250, 300) : random.Next(100, 250);
                listens.Add(new Listen(listener, track, Start.AddDays(day)));
            }
        }

        var split = TemporalSplit.Create(tracks, listens, new TemporalSplitSettings());
        Assert.Equal(listens.Max(l => l.At).AddMonths(-1), split.Cutoff);

        var validationUsers = split.Validation.Select(c => c.User).ToHashSet();
        var testUsers = split.HotTest.Concat(split.ColdTest).Select(c => c.User).ToHashSet();
        Assert.Empty(validationUsers.Intersect(testUsers));
        Assert.InRange(validationUsers.Count, 40, 70);
        Assert.NotEmpty(split.ColdTest);

        foreach (var c in split.Validation.Concat(split.HotTest))
        {
            Assert.All(c.Relevant, item => Assert.True(split.HotCandidates[item]));
            Assert.Empty(c.Relevant.Intersect(split.Train[c.User]));
        }

        Assert.All(split.ColdTest.SelectMany(c => c.Relevant), item => Assert.True(split.ColdCandidates[item]));
        Assert.DoesNotContain(split.Train.SelectMany(s => s), item => split.ColdCandidates[item]);
        Assert.All(split.Train, s => Assert.Equal(s.Length, s.Distinct().Count()));

        // Every training item was heard by that listener before the cutoff, within twelve months.
        var before = listens.Where(l => l.At < split.Cutoff && l.At >= split.Cutoff.AddMonths(-12))
            .Select(l => (l.Listener, split.ItemOf[l.Track])).ToHashSet();
        for (int u = 0; u < split.Train.Length; u++)
        {
            Assert.All(split.Train[u], item => Assert.Contains((split.ListenerIds[u], item), before));
        }
    }

    [Fact]
    public void An_empty_log_or_one_with_nothing_before_the_cutoff_is_refused_with_the_reason()
    {
        Assert.Contains("no listens", Assert.Throws<ArgumentException>(() => TemporalSplit.Create([1], [], new TemporalSplitSettings())).Message,
            StringComparison.OrdinalIgnoreCase);
        var onlyLate = new[] { new Listen(1, 1, Start) };
        Assert.Contains("No listens in the 12 months", Assert.Throws<ArgumentException>(() =>
            TemporalSplit.Create([1], onlyLate, new TemporalSplitSettings(Start.AddYears(-3)))).Message, StringComparison.Ordinal);
    }
}
