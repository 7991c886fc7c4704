using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.TestSupport;

namespace BlazorRecs.Core.Tests.Evaluation;

public sealed class LeaveOneOutSplitTests
{
    [Fact]
    public void Last_item_is_test_the_one_before_validation_and_neither_is_in_training()
    {
        int[][] sequences = [[0, 1, 2, 3, 4], [5, 6], [2, 7, 2, 8]];
        var split = LeaveOneOutSplit.Create(9, sequences);

        Assert.Equal([0, 1, 2], split.Train[0]);
        Assert.Equal([5, 6], split.Train[1]); // too short to evaluate: training only
        Assert.Equal([2, 7], split.Train[2]);
        Assert.Equal([0, 2], split.Test.Select(c => c.User));

        var test = split.Test[0];
        Assert.Equal([4], test.Relevant);
        Assert.Equal([0, 1, 2, 3], test.History);
        Assert.Equal([0, 1, 2, 3], test.Excluded.Order());
        var validation = split.Validation[0];
        Assert.Equal([3], validation.Relevant);
        Assert.Equal(split.Train[0], validation.History);

        // A repeated item is excluded once; the model still sees the repeat.
        Assert.Equal([2, 7, 2], split.Test[1].History);
        Assert.Equal([2, 7], split.Test[1].Excluded.Order());

        // What popularity may count at test time: everything but the test item.
        Assert.Equal([0, 1, 2, 3], split.KnownAtTest().Sequences[0]);
        Assert.Equal([5, 6], split.KnownAtTest().Sequences[1]);
    }

    [Fact]
    public async Task S3Rec_file_maps_ids_in_order_of_appearance_and_names_a_bad_line()
    {
        string dir = Directory.CreateTempSubdirectory("s3rec-").FullName;
        try
        {
            var ct = TestContext.Current.CancellationToken;
            string good = Path.Combine(dir, "good.txt");
            await File.WriteAllTextAsync(good, "1 10 20 30\n2 20 40\n\n", ct);
            var data = await S3RecDataset.LoadAsync(good, ct);
            Assert.Equal(["10", "20", "30", "40"], data.ItemIds);
            Assert.Equal([[0, 1, 2], [1, 3]], data.Sequences);
            Assert.Equal(5, data.Interactions);

            string bad = Path.Combine(dir, "bad.txt");
            await File.WriteAllTextAsync(bad, "1 10 20\n2\n", ct);
            var error = await Assert.ThrowsAsync<FormatException>(() => S3RecDataset.LoadAsync(bad, ct));
            Assert.Contains("bad.txt:2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await TempDirectory.DeleteAsync(dir);
        }
    }
}
