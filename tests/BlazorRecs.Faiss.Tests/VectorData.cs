namespace BlazorRecs.Faiss.Tests;

/// <summary>Random test vectors and the exact answers a brute-force scan gives for them.</summary>
internal static class VectorData
{
    public static float[] RandomUnitVectors(int count, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[count * dim];
        for (int i = 0; i < count; i++)
        {
            Span<float> row = data.AsSpan(i * dim, dim);
            double norm = 0;
            for (int j = 0; j < dim; j++)
            {
                // Box-Muller: Gaussian components give directions uniform on the sphere.
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                row[j] = (float)g;
                norm += g * g;
            }

            float inv = (float)(1 / Math.Sqrt(norm));
            for (int j = 0; j < dim; j++)
            {
                row[j] *= inv;
            }
        }

        return data;
    }

    /// <summary>
    /// Unit vectors drawn around <paramref name="clusters"/> random centres, the shape real audio embeddings have
    /// (genres, artists); uniform random directions are the worst case for IVF and unlike any catalog.
    /// </summary>
    public static float[] ClusteredUnitVectors(int count, int dim, int clusters, float spread, int centreSeed, int sampleSeed)
    {
        float[] centres = RandomUnitVectors(clusters, dim, centreSeed);
        float[] noise = RandomUnitVectors(count, dim, sampleSeed);
        var rng = new Random(sampleSeed);
        var data = new float[count * dim];
        for (int i = 0; i < count; i++)
        {
            Span<float> row = data.AsSpan(i * dim, dim);
            ReadOnlySpan<float> centre = centres.AsSpan(rng.Next(clusters) * dim, dim);
            double norm = 0;
            for (int j = 0; j < dim; j++)
            {
                row[j] = centre[j] + spread * noise[i * dim + j];
                norm += row[j] * row[j];
            }

            float inv = (float)(1 / Math.Sqrt(norm));
            for (int j = 0; j < dim; j++)
            {
                row[j] *= inv;
            }
        }

        return data;
    }

    public static long[] Ids(int count, long offset = 1000) => Enumerable.Range(0, count).Select(i => offset + i).ToArray();

    /// <summary>Exact top-k ids by inner product, computed in double precision.</summary>
    public static long[][] BruteForceTopK(float[] data, long[] ids, float[] queries, int dim, int k)
    {
        int n = data.Length / dim;
        int q = queries.Length / dim;
        var result = new long[q][];
        for (int qi = 0; qi < q; qi++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(qi * dim, dim);
            var scores = new (double Score, long Id)[n];
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> row = data.AsSpan(i * dim, dim);
                double dot = 0;
                for (int j = 0; j < dim; j++)
                {
                    dot += (double)query[j] * row[j];
                }

                scores[i] = (dot, ids[i]);
            }

            result[qi] = scores.OrderByDescending(s => s.Score).Take(k).Select(s => s.Id).ToArray();
        }

        return result;
    }

    public static double RecallAtK(SearchResults found, long[][] exact)
    {
        double hits = 0;
        for (int qi = 0; qi < exact.Length; qi++)
        {
            var truth = exact[qi].ToHashSet();
            foreach (long id in found.IdsOf(qi))
            {
                if (truth.Contains(id))
                {
                    hits++;
                }
            }
        }

        return hits / (exact.Length * (double)exact[0].Length);
    }
}
