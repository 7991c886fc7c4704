namespace BlazorRecs.Core.Simulation;

/// <summary>
/// Seed derivation and the few distributions System.Random lacks. Every stream is seeded from (seed, listener index,
/// purpose), never from shared state, so output cannot depend on thread scheduling.
/// </summary>
internal static class SimRandom
{
    /// <summary>Purposes of the independent streams a listener uses.</summary>
    public enum Stream
    {
        Activity = 1,
        Taste = 2,
        Plays = 3,
        Names = 4,
        Popularity = 5,
    }

    public static ulong Mix(ulong z)
    {
        // SplitMix64's finaliser: a bijection with good avalanche, so nearby seeds give unrelated streams.
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static ulong Hash(int seed, long key, Stream stream) =>
        Mix(Mix(Mix((ulong)(uint)seed) ^ (ulong)key) ^ (ulong)stream);

    public static Random Create(int seed, int index, Stream stream) => new((int)(Hash(seed, index, stream) >> 33));

    /// <summary>A uniform number in the open interval (0, 1) from a hash.</summary>
    public static double Unit(ulong hash) => ((hash >> 11) + 0.5) / (1UL << 53);

    public static double Uniform(Random rng, double min, double max) => min + ((max - min) * rng.NextDouble());

    public static double Normal(Random rng)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1], so the log is finite.
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Marsaglia and Tsang's method; shapes below 1 use the boost Gamma(a) = Gamma(a + 1) U^(1/a).</summary>
    public static double Gamma(Random rng, double shape)
    {
        if (shape < 1)
        {
            double boost = Math.Pow(1.0 - rng.NextDouble(), 1.0 / shape);
            return Gamma(rng, shape + 1) * boost;
        }

        double d = shape - (1.0 / 3.0);
        double c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1.0 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            double u = 1.0 - rng.NextDouble();
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    public static double Beta(Random rng, double a, double b)
    {
        double x = Gamma(rng, a);
        double y = Gamma(rng, b);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    /// <summary>Number of failures before the first success with success probability <paramref name="p"/>.</summary>
    public static int Geometric(Random rng, double p)
    {
        if (p >= 1)
        {
            return 0;
        }

        double u = 1.0 - rng.NextDouble();
        return (int)Math.Min(100_000, Math.Floor(Math.Log(u) / Math.Log(1 - p)));
    }

    /// <summary>Index i in [from, to) drawn with probability proportional to cum[i + 1] - cum[i]; -1 when that range
    /// has no mass. <paramref name="cum"/> is a prefix sum with cum[0] = 0.</summary>
    public static int SampleCumulative(double[] cum, int from, int to, Random rng)
    {
        if (to <= from)
        {
            return -1;
        }

        double lo = cum[from], hi = cum[to];
        if (!(hi > lo))
        {
            return -1;
        }

        double target = lo + ((hi - lo) * rng.NextDouble());
        // The first i in [from, to) with cum[i + 1] > target.
        int a = from, b = to - 1;
        while (a < b)
        {
            int mid = (a + b) >>> 1;
            if (cum[mid + 1] > target)
            {
                b = mid;
            }
            else
            {
                a = mid + 1;
            }
        }

        return a;
    }

    /// <summary>How many of the ascending <paramref name="sorted"/> values are at most <paramref name="value"/>.</summary>
    public static int CountAtMost(long[] sorted, long value)
    {
        int a = 0, b = sorted.Length;
        while (a < b)
        {
            int mid = (a + b) >>> 1;
            if (sorted[mid] <= value)
            {
                a = mid + 1;
            }
            else
            {
                b = mid;
            }
        }

        return a;
    }
}
