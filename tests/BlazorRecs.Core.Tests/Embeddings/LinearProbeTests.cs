using BlazorRecs.Core.Embeddings;

namespace BlazorRecs.Core.Tests.Embeddings;

public sealed class LinearProbeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void A_target_that_is_a_linear_function_of_the_vectors_is_read_exactly_whatever_the_columns_scales()
    {
        var random = new Random(1);
        // y = 3·a − 2·b + 5, with a third column of noise and columns of very different scales.
        float[][] vectors = [.. Enumerable.Range(0, 200).Select(_ => new[] { (float)random.NextDouble(), 1000 * (float)random.NextDouble(), 0.001f * (float)random.NextDouble() })];
        double[] targets = [.. vectors.Select(v => 3.0 * v[0] - 2.0 * (v[1] / 1000) + 5)];

        Assert.Equal(1, LinearProbe.RSquared(vectors, targets, cancellationToken: Ct), 3);
    }

    [Fact]
    public void A_target_unrelated_to_the_vectors_explains_nothing_out_of_fold()
    {
        // 100 tracks, 40 dimensions of noise, an unrelated target. Least squares on all 100 rows would "explain" about
        // 40% of its variance; only a probe scored on rows it did not fit (penalty chosen without them) stays near 0.
        var random = new Random(2);
        float[][] vectors = [.. Enumerable.Range(0, 100).Select(_ => Enumerable.Range(0, 40).Select(_ => (float)random.NextDouble()).ToArray())];
        double[] targets = [.. Enumerable.Range(0, 100).Select(_ => random.NextDouble())];

        double r2 = LinearProbe.RSquared(vectors, targets, cancellationToken: Ct);

        Assert.InRange(r2, -0.15, 0.05);
    }

    [Fact]
    public void It_measures_what_a_linear_layer_can_read_so_a_symmetric_square_is_invisible()
    {
        // y = x² over x symmetric about 0: perfectly determined by x, yet uncorrelated with it.
        float[][] vectors = [.. Enumerable.Range(-50, 101).Select(i => new[] { i / 50f })];
        double[] targets = [.. vectors.Select(v => (double)v[0] * v[0])];
        Assert.InRange(LinearProbe.RSquared(vectors, targets, cancellationToken: Ct), -0.1, 0.02);

        // With x² among the columns, it is read.
        float[][] withSquare = [.. vectors.Select(v => new[] { v[0], v[0] * v[0] })];
        Assert.Equal(1, LinearProbe.RSquared(withSquare, targets, cancellationToken: Ct), 3);
    }

    [Fact]
    public void Half_the_variance_in_the_vectors_and_half_in_noise_gives_about_one_half()
    {
        // y = x + e with x and e independent and of equal variance: the best linear prediction explains half.
        var random = new Random(3);
        float[][] vectors = [.. Enumerable.Range(0, 4000).Select(_ => new[] { (float)Gaussian(random) })];
        double[] targets = [.. vectors.Select(v => v[0] + Gaussian(random))];

        Assert.InRange(LinearProbe.RSquared(vectors, targets, cancellationToken: Ct), 0.46, 0.54);
    }

    [Fact]
    public void Constant_vectors_predict_the_mean_of_the_other_folds()
    {
        // Nothing to read: every fold is predicted by the mean of the others, which is worse than the overall mean.
        float[][] vectors = [.. Enumerable.Range(0, 10).Select(_ => new[] { 1f, 2f })];
        double[] targets = [.. Enumerable.Range(0, 10).Select(i => (double)i)];

        // Each fold holds 2 of the 0..9 and is predicted by the mean of the other 8, (45 − s) / 8 for a fold summing to
        // s, which misses the overall mean 4.5 by (s − 9) / 8. So SSE = SST + (9/32)·Σ(s − 9)² over the folds, and
        // R² = −(9/32)·Σ(s − 9)² / 82.5: never above 0, never below −(9/32)·160 / 82.5 (folds summing 1, 5, 9, 13, 17).
        double[] r2 = [.. Enumerable.Range(0, 8).Select(seed => LinearProbe.RSquared(vectors, targets, seed, Ct))];

        Assert.All(r2, r => Assert.InRange(r, -9.0 / 32 * 160 / 82.5 - 1e-9, 1e-12));
        // The overall mean would give exactly 0 for every dealing; the others' mean does not.
        Assert.Contains(r2, r => r < -1e-3);
    }

    [Fact]
    public void Targets_probed_together_get_what_each_gets_alone_each_with_its_own_penalty()
    {
        var random = new Random(4);
        float[][] vectors = [.. Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, 20).Select(_ => (float)random.NextDouble()).ToArray())];
        // One target read exactly (a small penalty wins), one mostly noise (a large one wins).
        double[] exact = [.. vectors.Select(v => 2.0 * v[3] - v[7])];
        double[] noisy = [.. vectors.Select(v => 0.1 * v[0] + random.NextDouble())];

        double[] together = LinearProbe.RSquared(vectors, [exact, noisy], cancellationToken: Ct);

        Assert.Equal(LinearProbe.RSquared(vectors, exact, cancellationToken: Ct), together[0], 9);
        Assert.Equal(LinearProbe.RSquared(vectors, noisy, cancellationToken: Ct), together[1], 9);
        Assert.True(together[0] > 0.99 && together[1] < 0.2, $"{together[0]}, {together[1]}");
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        float[][] ten = [.. Enumerable.Range(0, 10).Select(i => new[] { (float)i })];
        double[] targets = [.. Enumerable.Range(0, 10).Select(i => (double)i)];

        Assert.Throws<ArgumentException>(() => LinearProbe.RSquared(ten[..9], targets[..9], cancellationToken: Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.RSquared(ten, targets[..9], cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => LinearProbe.RSquared(ten, [.. targets.Select(_ => 1.0)], cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => LinearProbe.RSquared(ten, [.. targets[..9], double.NaN], cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => LinearProbe.RSquared([.. ten[..9], [1f, 2f]], targets, cancellationToken: Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.RSquared(ten, Array.Empty<IReadOnlyList<double>>(), cancellationToken: Ct));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
