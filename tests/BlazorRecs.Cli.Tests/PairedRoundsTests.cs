using BlazorRecs.Cli.Commands;

namespace BlazorRecs.Cli.Tests;

/// <summary>How <c>bench train</c> splits its timed steps into rounds and compares each with the baseline around it.</summary>
public sealed class PairedRoundsTests
{
    [Theory]
    [InlineData(60, 10, new[] { 6, 6, 6, 6, 6, 6, 6, 6, 6, 6 })]
    [InlineData(23, 5, new[] { 5, 5, 5, 4, 4 })]
    [InlineData(3, 10, new[] { 1, 1, 1 })]
    [InlineData(7, 1, new[] { 7 })]
    public void Steps_are_split_as_evenly_as_they_go_and_never_into_empty_rounds(int total, int rounds, int[] expected)
    {
        int[] split = PairedRounds.Split(total, rounds);

        Assert.Equal(expected, split);
        Assert.Equal(total, split.Sum());
    }

    [Fact]
    public void Each_round_is_divided_by_the_mean_of_the_baselines_just_before_and_after_it()
    {
        // Round 1 between 100 and 140 (mean 120), round 2 between 140 and 60 (mean 100).
        double[] ratios = PairedRounds.Ratios([60, 40], [100, 140, 60]);

        Assert.Equal([0.5, 0.4], ratios);
        Assert.Throws<ArgumentException>(() => PairedRounds.Ratios([60, 40], [100, 140]));
    }

    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_middle_two()
    {
        Assert.Equal(0.35, PairedRounds.Median([0.40, 0.30, 0.35]));
        Assert.Equal(0.36, PairedRounds.Median([0.40, 0.30, 0.34, 0.38]), 12);
        Assert.Equal(7, PairedRounds.Median([7.0]));
        Assert.Throws<ArgumentException>(() => PairedRounds.Median([]));
    }

    [Fact]
    public void Zero_steps_or_rounds_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedRounds.Split(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedRounds.Split(10, 0));
    }
}
