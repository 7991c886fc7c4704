using BlazorRecs.Core.Simulation;

namespace BlazorRecs.Core.Tests.Simulation;

public sealed class DescriptorNeighboursTests
{
    [Fact]
    public void The_tree_finds_exactly_the_brute_force_neighbours()
    {
        // Coarse descriptors make many exact ties, which is where a pruning bug or an order dependence would show.
        var rng = new Random(3);
        var tracks = SyntheticCatalog.Create(genres: 6, artistsPerGenre: 20, albumTracks: 9)
            .Select(t => t with { Energy = Math.Round(t.Energy, 1), Brightness = Math.Round(t.Brightness, 1), TempoBpm = Math.Round(t.TempoBpm / 12) * 12 })
            .OrderBy(_ => rng.Next())
            .ToArray();
        var vectors = tracks.Select(Descriptors.Normalise).ToArray();
        const int k = SimCatalog.NeighbourCount;

        int[] tree = DescriptorNeighbours.Compute(vectors, tracks, k, TestContext.Current.CancellationToken);

        for (int i = 0; i < tracks.Length; i++)
        {
            int[] expected = [.. Enumerable.Range(0, tracks.Length).Where(j => j != i)
                .OrderBy(j => Descriptors.Vec.DistanceSquared(vectors[i], vectors[j])).ThenBy(j => tracks[j].TrackId).Take(k)];
            Assert.Equal(expected, tree.AsSpan(i * k, k).ToArray());
        }
    }
}
