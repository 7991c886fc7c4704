namespace BlazorRecs.Faiss.Tests;

public sealed class FaissIndexTests
{
    private const int Dim = 64;

    [Fact]
    public void Flat_inner_product_equals_brute_force_search()
    {
        float[] data = VectorData.RandomUnitVectors(2000, Dim, seed: 1);
        float[] queries = VectorData.RandomUnitVectors(50, Dim, seed: 2);
        long[] ids = VectorData.Ids(2000);
        using var index = FaissIndex.Create(Dim, "Flat", FaissMetric.InnerProduct);
        index.Add(data, ids);

        SearchResults found = index.Search(queries, k: 10);

        long[][] exact = VectorData.BruteForceTopK(data, ids, queries, Dim, 10);
        Assert.Equal(2000, index.Count);
        for (int q = 0; q < exact.Length; q++)
        {
            Assert.Equal(exact[q], found.IdsOf(q).ToArray());
            // Scores are the inner products themselves, best first.
            long best = found.IdsOf(q)[0];
            float expected = Dot(queries.AsSpan(q * Dim, Dim), data.AsSpan((int)(best - 1000) * Dim, Dim));
            Assert.Equal(expected, found.DistancesOf(q)[0], 4);
        }
    }

    [Theory]
    [InlineData("IVF64,Flat", "nprobe", 16)]
    [InlineData("HNSW32", "efSearch", 128)]
    public void Approximate_indexes_reach_recall_at_10_of_at_least_0_9(string description, string parameter, int value)
    {
        float[] data = VectorData.ClusteredUnitVectors(10_000, Dim, clusters: 40, spread: 0.8f, centreSeed: 3, sampleSeed: 30);
        float[] queries = VectorData.ClusteredUnitVectors(200, Dim, clusters: 40, spread: 0.8f, centreSeed: 3, sampleSeed: 31);
        long[] ids = VectorData.Ids(10_000);
        using var index = FaissIndex.Create(Dim, description, FaissMetric.InnerProduct);
        index.Train(data);
        index.Add(data, ids);
        if (parameter == "nprobe")
        {
            index.SetNProbe(value);
        }
        else
        {
            index.SetEfSearch(value);
        }

        double recall = VectorData.RecallAtK(index.Search(queries, 10), VectorData.BruteForceTopK(data, ids, queries, Dim, 10));

        Assert.True(recall >= 0.9, $"{description}: recall@10 = {recall:F3}");
    }

    [Fact]
    public void Nprobe_changes_what_an_ivf_index_finds()
    {
        float[] data = VectorData.RandomUnitVectors(5000, Dim, seed: 5);
        float[] queries = VectorData.RandomUnitVectors(100, Dim, seed: 6);
        long[] ids = VectorData.Ids(5000);
        using var index = FaissIndex.Create(Dim, "IVF64,Flat");
        index.Train(data);
        index.Add(data, ids);
        long[][] exact = VectorData.BruteForceTopK(data, ids, queries, Dim, 10);

        index.SetNProbe(1);
        double narrow = VectorData.RecallAtK(index.Search(queries, 10), exact);
        index.SetNProbe(64);
        double full = VectorData.RecallAtK(index.Search(queries, 10), exact);

        Assert.True(narrow < 0.9, $"nprobe=1 recall {narrow:F3} should be visibly approximate");
        Assert.Equal(1.0, full, 3);
    }

    [Theory]
    [InlineData("Flat")]
    [InlineData("IVF16,Flat")]
    [InlineData("HNSW16")]
    public void Write_then_read_gives_an_index_with_the_same_answers(string description)
    {
        float[] data = VectorData.RandomUnitVectors(1000, Dim, seed: 7);
        float[] queries = VectorData.RandomUnitVectors(20, Dim, seed: 8);
        string path = Path.Combine(Path.GetTempPath(), $"faiss-{Guid.NewGuid():N}.index");
        try
        {
            using var original = FaissIndex.Create(Dim, description);
            original.Train(data);
            original.Add(data, VectorData.Ids(1000));
            SearchResults before = original.Search(queries, 5);

            original.Write(path);
            using var loaded = FaissIndex.Read(path);

            Assert.Equal(Dim, loaded.Dimension);
            Assert.Equal(FaissMetric.InnerProduct, loaded.Metric);
            Assert.Equal(1000, loaded.Count);
            SearchResults after = loaded.Search(queries, 5);
            Assert.Equal(before.Ids, after.Ids);
            Assert.Equal(before.Distances, after.Distances);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Removed_ids_are_no_longer_found()
    {
        float[] data = VectorData.RandomUnitVectors(100, Dim, seed: 9);
        long[] ids = VectorData.Ids(100);
        using var index = FaissIndex.Create(Dim, "Flat");
        index.Add(data, ids);
        // Query with a stored vector: its own id is the best match until removed.
        float[] query = data.AsSpan(10 * Dim, Dim).ToArray();
        Assert.Equal(1010, index.Search(query, 1).IdsOf(0)[0]);

        long removed = index.Remove([1010, 1011, 99_999]);

        Assert.Equal(2, removed);
        Assert.Equal(98, index.Count);
        long[] remaining = index.Search(query, 98).Ids;
        Assert.DoesNotContain(1010L, remaining);
        Assert.DoesNotContain(1011L, remaining);
        Assert.Equal(98, remaining.Distinct().Count());
    }

    [Fact]
    public void Fewer_stored_vectors_than_k_pad_with_minus_one()
    {
        using var index = FaissIndex.Create(4, "Flat");
        index.Add([1, 0, 0, 0, 0, 1, 0, 0], [7, 8]);

        SearchResults found = index.Search([1, 0, 0, 0], 3);

        Assert.Equal([7L, 8L, -1L], found.IdsOf(0).ToArray());
    }

    [Fact]
    public void Vectors_of_the_wrong_dimension_raise_a_dimension_exception()
    {
        using var index = FaissIndex.Create(Dim, "Flat");

        var ex = Assert.Throws<FaissDimensionException>(() => index.Add(new float[Dim + 1], [1]));
        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FaissDimensionException>(() => index.Search(new float[Dim * 2 - 3], 5));
        Assert.Equal(0, index.Count);
    }

    [Theory]
    [InlineData("NoSuchIndex42")]
    [InlineData("IVF16,PQ7")] // 64 is not a multiple of 7 sub-quantisers: a FAISS assertion inside index_factory
    public void A_bad_factory_string_raises_a_factory_exception_with_faiss_message(string description)
    {
        var ex = Assert.Throws<FaissFactoryException>(() => FaissIndex.Create(Dim, description));

        Assert.False(string.IsNullOrWhiteSpace(ex.FaissMessage));
        Assert.Contains(ex.FaissMessage!, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Faiss_assertions_inside_operations_come_back_as_typed_exceptions()
    {
        using var untrained = FaissIndex.Create(Dim, "IVF16,Flat");
        float[] data = VectorData.RandomUnitVectors(10, Dim, seed: 10);

        // Adding to an untrained IVF index trips FAISS_THROW_IF_NOT(is_trained) in C++.
        var ex = Assert.Throws<FaissException>(() => untrained.Add(data, VectorData.Ids(10)));
        Assert.Equal("add_with_ids", ex.Operation);
        Assert.Contains("trained", ex.FaissMessage, StringComparison.OrdinalIgnoreCase);

        using var flat = FaissIndex.Create(Dim, "Flat");
        var nprobe = Assert.Throws<FaissException>(() => flat.SetNProbe(4));
        Assert.Contains("nprobe", nprobe.FaissMessage, StringComparison.Ordinal);

        Assert.Throws<FaissException>(() => FaissIndex.Read(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}")));
    }

    [Fact]
    public void Eight_threads_searching_one_index_all_get_correct_results()
    {
        float[] data = VectorData.RandomUnitVectors(5000, Dim, seed: 11);
        long[] ids = VectorData.Ids(5000);
        using var index = FaissIndex.Create(Dim, "Flat");
        index.Add(data, ids);
        float[] queries = VectorData.RandomUnitVectors(64, Dim, seed: 12);
        long[][] exact = VectorData.BruteForceTopK(data, ids, queries, Dim, 10);
        int failures = 0;
        int searches = 0;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            for (int round = 0; round < 20; round++)
            {
                int q = (thread * 20 + round) % exact.Length;
                long[] got = index.Search(queries.AsSpan(q * Dim, Dim), 10).Ids;
                Interlocked.Increment(ref searches);
                if (!got.AsSpan().SequenceEqual(exact[q]))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(160, searches);
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Native_version_is_reported()
    {
        Assert.Matches(@"^1\.\d+\.\d+$", FaissIndex.NativeVersion);
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += (double)a[i] * b[i];
        }

        return (float)s;
    }
}
