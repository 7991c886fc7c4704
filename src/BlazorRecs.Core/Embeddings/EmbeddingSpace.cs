using System.Numerics.Tensors;
using BlazorRecs.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Embeddings;

/// <summary>
/// What a backend's stored vectors look like as a space, for comparing backends beyond their recommendation metrics:
/// how many directions the catalog really spreads over, how closely neighbourhoods follow genre and album, and how much
/// of each track descriptor a linear layer can read from it.
/// </summary>
/// <param name="Backend">The backend.</param>
/// <param name="Tracks">Tracks with a vector.</param>
/// <param name="Dimension">The vectors' length.</param>
/// <param name="EffectiveDimensions">See <see cref="EmbeddingSpace.EffectiveDimensions"/>.</param>
/// <param name="Genre">Share of each track's nearest neighbours in its genre, and the share chance gives (tracks with a genre); null with fewer than two.</param>
/// <param name="Album">The same for albums (tracks on an album); null with fewer than two.</param>
/// <param name="Descriptors">A linear probe of each descriptor enough of the tracks have (<see cref="EmbeddingSpace.DescriptorNames"/> order),
/// over the tracks every reported backend has a vector for, so that backends are compared on the same tracks.</param>
public sealed record EmbeddingSpaceReport(
    string Backend, int Tracks, int Dimension, double EffectiveDimensions, (double Share, double Chance)? Genre, (double Share, double Chance)? Album,
    IReadOnlyList<DescriptorFit> Descriptors)
{
    /// <summary>The probe's R² of <paramref name="descriptor"/>, or null where it was not measured.</summary>
    public double? RSquaredOf(string descriptor) => Descriptors.FirstOrDefault(f => f.Descriptor == descriptor)?.RSquared;
}

/// <summary>How much of one track descriptor a space holds linearly: the out-of-fold R² of <see cref="LinearProbe"/>
/// over the tracks that have the descriptor.</summary>
public sealed record DescriptorFit(string Descriptor, int Tracks, double RSquared);

/// <summary>Measures of a set of vectors as a space (<see cref="EmbeddingSpaceReport"/>).</summary>
public static class EmbeddingSpace
{
    // The four descriptors the simulated listeners' taste lives in, on the simulator's own scales
    // (Simulation/Descriptors.cs): what a backend must carry for a recommender to follow that taste by sound.
    private static readonly (string Name, Func<DescriptorValues, double?> Of)[] TrackDescriptors =
    [
        ("tempo", t => t.TempoBpm is { } bpm ? Simulation.Descriptors.NormaliseTempo(bpm) : null),
        ("energy", t => t.Energy),
        ("brightness", t => t.Brightness),
        ("acousticness", t => t.Acousticness),
    ];

    /// <summary>The descriptors a report probes, in its order.</summary>
    public static IReadOnlyList<string> DescriptorNames { get; } = [.. TrackDescriptors.Select(d => d.Name)];

    /// <summary>
    /// The participation ratio of the standardised vectors: with every dimension scaled to unit variance (as the
    /// recommenders see them), (Σλ)² / Σλ² over the eigenvalues λ of their covariance, which is the correlation matrix
    /// R. It is the number of equally strong directions that would spread the variance as evenly: d for d uncorrelated
    /// dimensions, 1 when all are copies of one. Computed without an eigendecomposition, as (tr R)² / ‖R‖²_F.
    /// Constant dimensions carry no variance and are left out. A sample's own noise pulls the ratio down as d nears n:
    /// n independent random vectors give about d / (1 + (d - 1) / (n - 1)), and never more than n - 1, so compare
    /// backends on the same tracks (the report's Tracks column says whether they are).
    /// </summary>
    public static double EffectiveDimensions(IReadOnlyList<float[]> vectors)
    {
        if (vectors.Count < 2)
        {
            throw new ArgumentException("At least two vectors are needed.", nameof(vectors));
        }

        // Columns centred and scaled to unit norm, so that R[a, b] is the dot product of columns a and b.
        var columns = UnitColumns(vectors);
        if (columns.Count == 0)
        {
            return 0;
        }

        double frobenius = 0;
        for (int a = 0; a < columns.Count; a++)
        {
            frobenius += 1; // R[a, a]
            for (int b = a + 1; b < columns.Count; b++)
            {
                double r = TensorPrimitives.Dot<double>(columns[a], columns[b]);
                frobenius += 2 * r * r;
            }
        }

        return (double)columns.Count * columns.Count / frobenius;
    }

    /// <summary>
    /// The columns of <paramref name="vectors"/> (all of one length), each centred and scaled to unit norm, so that
    /// their dot products are correlations; a constant column (every value the same float) is left out exactly.
    /// Computed in double, so that rounding cannot leave a constant column a residual spread.
    /// </summary>
    internal static List<double[]> UnitColumns(IReadOnlyList<float[]> vectors)
    {
        int n = vectors.Count, d = vectors[0].Length;
        var columns = new List<double[]>(d);
        for (int j = 0; j < d; j++)
        {
            var column = new double[n];
            for (int i = 0; i < n; i++)
            {
                column[i] = vectors[i].Length == d ? vectors[i][j] : throw new ArgumentException($"vector {i} has {vectors[i].Length} values, not {d}", nameof(vectors));
            }

            if (TensorPrimitives.Max<double>(column) == TensorPrimitives.Min<double>(column))
            {
                continue;
            }

            TensorPrimitives.Subtract(column, TensorPrimitives.Sum<double>(column) / n, column);
            double norm = TensorPrimitives.Norm<double>(column);
            if (norm > 0)
            {
                TensorPrimitives.Divide(column, norm, column);
                columns.Add(column);
            }
        }

        return columns;
    }

    /// <summary>The report for every backend with stored vectors, in backend order; neighbourhoods count the
    /// <paramref name="neighbours"/> nearest by cosine.</summary>
    public static async Task<IReadOnlyList<EmbeddingSpaceReport>> ForCatalogAsync(
        IDbContextFactory<BlazorRecsDbContext> contexts, int neighbours, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Only vectors of each backend's current version: stale ones of an older model are not part of its space. In
        // track order, so that the probe's folds do not depend on the order SQLite returns rows in.
        var rows = await db.TrackEmbeddings.AsNoTracking().Where(e => e.Version == e.Backend!.Version).OrderBy(e => e.TrackId)
            .Select(e => new
            {
                e.BackendId, e.TrackId, e.Vector, e.Track!.Genre, e.Track.AlbumId,
                Descriptors = new DescriptorValues(e.Track.TempoBpm, e.Track.Energy, e.Track.Brightness, e.Track.Acousticness),
            }).ToListAsync(cancellationToken);
        var backends = rows.GroupBy(r => r.BackendId).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        // The probe's R² falls as tracks per dimension fall (LinearProbe), so every backend is probed on the same tracks:
        // those all of them have a vector for (all of the catalog, unless one is still being embedded).
        var shared = backends.Select(b => b.Select(r => r.TrackId).ToHashSet())
            .Aggregate((HashSet<int>?)null, (all, next) => all is null ? next : [.. all.Intersect(next)]) ?? [];
        var reports = new List<EmbeddingSpaceReport>();
        foreach (var backend in backends)
        {
            var sized = backend.Select(r => (Vector: EmbeddingStore.ToFloats(r.Vector), r.TrackId, r.Genre, r.AlbumId, r.Descriptors)).ToList();
            int dimension = sized[0].Vector.Length;
            var probed = sized.Where(t => shared.Contains(t.TrackId)).ToList();
            var fits = Probe([.. probed.Select(t => t.Vector)], [.. probed.Select(t => t.Descriptors)], cancellationToken);

            reports.Add(new EmbeddingSpaceReport(
                backend.Key, sized.Count, dimension,
                sized.Count < 2 ? 0 : EffectiveDimensions([.. sized.Select(t => t.Vector)]),
                Agreement(sized.Where(t => t.Genre is not null).Select(t => (t.Vector, t.Genre!)).ToList(), neighbours),
                Agreement(sized.Where(t => t.AlbumId is not null).Select(t => (t.Vector, $"{t.AlbumId}")).ToList(), neighbours),
                fits));
        }

        return reports;
    }

    // A track's descriptors as stored (Catalog/CatalogEntities.cs), null where unknown.
    private readonly record struct DescriptorValues(double? TempoBpm, double? Energy, double? Brightness, double? Acousticness);

    // Each descriptor's probe over the tracks that have it, where there are enough of them and its values vary, in
    // descriptor order. Descriptors known for the same tracks (all four, for the seed catalog) are probed together,
    // sharing the folds' Gram matrices and solves: the cost of a wide export is in those.
    private static List<DescriptorFit> Probe(List<float[]> vectors, List<DescriptorValues> descriptors, CancellationToken cancellationToken)
    {
        var probes = TrackDescriptors
            .Select(d => (d.Name, Values: descriptors.Select(d.Of).ToArray()))
            .Select(d => (d.Name, d.Values, Known: Enumerable.Range(0, d.Values.Length).Where(i => d.Values[i] is not null).ToArray()))
            .Where(d => d.Known.Length >= 2 * LinearProbe.Folds && d.Known.Select(i => d.Values[i]).Distinct().Count() > 1)
            .ToList();
        var fits = new Dictionary<string, DescriptorFit>();
        foreach (var group in probes.GroupBy(p => string.Join(',', p.Known)))
        {
            int[] known = group.First().Known;
            double[] r2 = LinearProbe.RSquared([.. known.Select(i => vectors[i])],
                [.. group.Select(p => (IReadOnlyList<double>)[.. known.Select(i => p.Values[i]!.Value)])], cancellationToken: cancellationToken);
            foreach (var (probe, value) in group.Zip(r2))
            {
                fits[probe.Name] = new DescriptorFit(probe.Name, known.Length, value);
            }
        }

        return [.. TrackDescriptors.Where(d => fits.ContainsKey(d.Name)).Select(d => fits[d.Name])];
    }

    /// <summary>An agreement as people read it: "0.968 (11.5x chance 0.084)"; a dash where there is none, or where no
    /// two tracks share a label (every album a single, say), so that chance is zero and a ratio means nothing.</summary>
    public static string Format((double Share, double Chance)? agreement) => agreement is { Chance: > 0 } a
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a.Share:0.000} ({a.Share / a.Chance:0.0}x chance {a.Chance:0.000})")
        : "–";

    private static (double Share, double Chance)? Agreement(List<(float[] Vector, string Label)> labelled, int neighbours) =>
        labelled.Count < 2 ? null : GenreAgreement.Compute([.. labelled.Select(l => l.Vector)], [.. labelled.Select(l => l.Label)], neighbours);
}
