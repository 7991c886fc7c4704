namespace BlazorRecs.Core.Simulation;

/// <summary>
/// Exact k nearest neighbours in the 4-d descriptor space through a k-d tree: a query visits a few hundred points
/// instead of the whole catalog, so 20,000 tracks index in a fraction of a second where the brute force would take
/// 200M distances.
/// </summary>
internal static class DescriptorNeighbours
{
    private const int LeafSize = 8;
    private const int D = Descriptors.Dimensions;

    /// <summary><paramref name="k"/> nearest other tracks per track, flattened, nearest first, -1 padded. Ties are
    /// broken by track id, so the answer does not depend on the input order or the tree's shape.</summary>
    public static int[] Compute(Descriptors.Vec[] vectors, SimTrack[] tracks, int k, CancellationToken ct)
    {
        int n = vectors.Length;
        double[] coords = new double[n * D];
        for (int i = 0; i < n; i++)
        {
            coords[(i * D) + 0] = vectors[i].Tempo;
            coords[(i * D) + 1] = vectors[i].Energy;
            coords[(i * D) + 2] = vectors[i].Brightness;
            coords[(i * D) + 3] = vectors[i].Acousticness;
        }

        int[] order = [.. Enumerable.Range(0, n)];
        byte[] splitDim = new byte[n];
        double[] splitValue = new double[n];
        Build(coords, order, splitDim, splitValue, 0, n, new double[n]);

        int[] result = new int[n * k];
        Array.Fill(result, -1);
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var best = new Best(k, tracks);
            Search(coords, order, splitDim, splitValue, 0, n, i, best);
            Array.Copy(best.Indices, 0, result, i * k, best.Count);
        });
        return result;
    }

    private static void Build(double[] coords, int[] order, byte[] splitDim, double[] splitValue, int lo, int hi, double[] keys)
    {
        if (hi - lo <= LeafSize)
        {
            return;
        }

        // Split the widest dimension at the median. An internal node's median position is unique to it (left
        // descendants lie below it, right descendants' medians above it), so it can index the split. The value is
        // kept, not looked up later: the children re-sort their ranges, so order[mid] will be another point.
        int dim = 0;
        double widest = -1;
        for (int d = 0; d < D; d++)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int p = lo; p < hi; p++)
            {
                double x = coords[(order[p] * D) + d];
                min = Math.Min(min, x);
                max = Math.Max(max, x);
            }

            if (max - min > widest)
            {
                widest = max - min;
                dim = d;
            }
        }

        for (int p = lo; p < hi; p++)
        {
            keys[p] = coords[(order[p] * D) + dim];
        }

        Array.Sort(keys, order, lo, hi - lo);
        int mid = (lo + hi) >>> 1;
        splitDim[mid] = (byte)dim;
        splitValue[mid] = keys[mid];
        Build(coords, order, splitDim, splitValue, lo, mid, keys);
        Build(coords, order, splitDim, splitValue, mid, hi, keys);
    }

    private static void Search(double[] coords, int[] order, byte[] splitDim, double[] splitValue, int lo, int hi, int query, Best best)
    {
        if (hi - lo <= LeafSize)
        {
            for (int p = lo; p < hi; p++)
            {
                int j = order[p];
                if (j != query)
                {
                    best.Offer(j, DistanceSquared(coords, query, j));
                }
            }

            return;
        }

        int mid = (lo + hi) >>> 1;
        int dim = splitDim[mid];
        double diff = coords[(query * D) + dim] - splitValue[mid];
        bool left = diff < 0;
        Search(coords, order, splitDim, splitValue, left ? lo : mid, left ? mid : hi, query, best);
        // Equal distances are still visited (not pruned), so id tie-breaking stays exact.
        if (!best.Full || diff * diff <= best.Worst)
        {
            Search(coords, order, splitDim, splitValue, left ? mid : lo, left ? hi : mid, query, best);
        }
    }

    private static double DistanceSquared(double[] c, int a, int b)
    {
        double d0 = c[a * D] - c[b * D], d1 = c[(a * D) + 1] - c[(b * D) + 1], d2 = c[(a * D) + 2] - c[(b * D) + 2], d3 = c[(a * D) + 3] - c[(b * D) + 3];
        return (d0 * d0) + (d1 * d1) + (d2 * d2) + (d3 * d3);
    }

    /// <summary>The k best so far, sorted by (distance, track id).</summary>
    private sealed class Best(int k, SimTrack[] tracks)
    {
        private readonly double[] _distances = new double[k];

        public int[] Indices { get; } = new int[k];
        public int Count { get; private set; }
        public bool Full => Count == k;
        public double Worst => _distances[k - 1];

        public void Offer(int j, double d)
        {
            if (Full && !Closer(d, j, _distances[k - 1], Indices[k - 1]))
            {
                return;
            }

            int slot = Full ? k - 1 : Count++;
            while (slot > 0 && Closer(d, j, _distances[slot - 1], Indices[slot - 1]))
            {
                _distances[slot] = _distances[slot - 1];
                Indices[slot] = Indices[slot - 1];
                slot--;
            }

            _distances[slot] = d;
            Indices[slot] = j;
        }

        private bool Closer(double d, int j, double otherD, int otherJ) =>
            d < otherD || (d == otherD && tracks[j].TrackId < tracks[otherJ].TrackId);
    }
}
