using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Cli.Tests;

/// <summary><c>inspect-embeddings</c> as run from the command line, on a data directory with and without vectors.</summary>
public sealed class InspectEmbeddingsCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("blazorrecs-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await TempDirectory.DeleteAsync(_directory);
    }

    [Fact]
    public async Task It_says_to_embed_first_then_reports_each_backends_space()
    {
        // A fresh data directory (the run creates its database): nothing to report, and it says what to do.
        var empty = await CliProcess.RunAsync(_directory, "inspect-embeddings");
        Assert.True(empty.ExitCode == 1, empty.ToString());
        Assert.Contains("run `embed` first", empty.Stderr, StringComparison.Ordinal);

        // 24 tracks: two genres of three albums of four tracks. A vector is (genre ±1, the album's place in its genre
        // -0.3, 0 or 0.3, the track's place on its album in hundredths): by cosine, a track's 3 album mates come
        // first, then 7 of the 8 other tracks of its genre. Energy is linear in the third value and acousticness in the
        // first; tempo and brightness are unknown.
        var options = new DbContextOptionsBuilder<BlazorRecsDbContext>()
            .UseSqlite($"Data Source={Path.Combine(CliProcess.DataDirectory(_directory), "blazorrecs.db")}").Options;
        await using (var db = new BlazorRecsDbContext(options))
        {
            var artist = new Artist { Name = "a" };
            var albums = Enumerable.Range(0, 6).Select(a => new Album { Title = $"album {a}", Artist = artist }).ToArray();
            var tracks = Enumerable.Range(0, 24).Select(i => new Track
            {
                Title = $"t{i}", Artist = artist, Album = albums[i / 4], Genre = i < 12 ? "jazz" : "rock", DurationMs = 1000, AudioPath = "x.mp3",
                ReleasedAt = DateTimeOffset.UnixEpoch, AddedAt = DateTimeOffset.UnixEpoch,
                Energy = 0.5 + 0.1 * (i % 4), Acousticness = i < 12 ? 0.2 : 0.8,
            }).ToArray();
            db.Tracks.AddRange(tracks);
            db.EmbeddingBackends.Add(new EmbeddingBackend { Id = "probe", Kind = "test", Dimension = 3, Version = "v1", Status = BackendStatus.Available });
            await db.SaveChangesAsync(Ct);
            db.TrackEmbeddings.AddRange(tracks.Select((t, i) => new TrackEmbedding
            {
                TrackId = t.Id, BackendId = "probe", Version = "v1", ComputedAt = DateTimeOffset.UnixEpoch,
                Vector = EmbeddingStore.ToBytes([i < 12 ? 1 : -1, 0.3f * (i / 4 % 3 - 1), 0.01f * (i % 4)]),
            }));
            await db.SaveChangesAsync(Ct);
        }

        var run = await CliProcess.RunAsync(_directory, "inspect-embeddings");

        Assert.True(run.ExitCode == 0, run.ToString());
        string row = run.Stdout.Split('\n').Single(l => l.StartsWith("probe ", StringComparison.Ordinal));
        string[] cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // backend, tracks, dimension, then effective dimensions: the three columns are uncorrelated, so 3.
        Assert.Equal(["probe", "24", "3", "3.0"], cells[..4]);
        // Of the 10 nearest: all in the genre (chance 264/552), 3 on the album (chance 72/552).
        // Then R² of tempo, energy, brightness and acousticness: read exactly where a value holds it, none where no
        // track has it.
        Assert.Matches(@"1\.000 \(2\.1x chance 0\.478\)\s+0\.300 \(2\.3x chance 0\.130\)\s+–\s+1\.000\s+–\s+1\.000$", row.TrimEnd());
        Assert.Contains("fewer than 10 of the tracks have that descriptor", run.Stdout, StringComparison.Ordinal);
    }
}
