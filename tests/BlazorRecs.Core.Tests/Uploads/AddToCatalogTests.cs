using System.Data.Common;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Uploads;
using BlazorRecs.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Uploads;

public sealed class AddToCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_added_upload_is_at_once_a_playable_searchable_embedded_and_indexed_track()
    {
        string models = Path.GetDirectoryName(Path.GetDirectoryName(SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx")))!;
        await using var host = await TestHost.StartAsync(null, $"--BlazorRecs:ModelsDirectory={models}");
        var ffmpeg = host.Services.GetRequiredService<Ffmpeg>();
        var analyzer = host.Services.GetRequiredService<UploadAnalyzer>();
        string source = Path.Combine(host.DataDirectory, "source.mp3");
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=330:duration=5", source], Ct);
        string saved;
        await using (var stream = File.OpenRead(source))
        {
            saved = await analyzer.SaveAsync(stream, Ct);
        }

        var analysis = await analyzer.AnalyzeAsync(saved, 5, Ct);
        int id = await analyzer.AddToCatalogAsync(saved, analysis, "My Demo Song", "Me", Ct);

        Assert.False(File.Exists(saved));
        await using var db = await host.DbAsync();
        var track = await db.Tracks.Include(t => t.Artist).SingleAsync(t => t.Id == id, Ct);
        Assert.Equal(TrackSource.Upload, track.Source);
        Assert.Equal("Me", track.Artist!.Name);
        Assert.EndsWith(".mp3", track.AudioPath, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, track.AudioPath)));
        Assert.InRange(track.DurationMs, 4900, 5200);
        Assert.Equal(2, await db.TrackEmbeddings.CountAsync(e => e.TrackId == id, Ct));
        Assert.NotNull((await db.TrackEmbeddings.SingleAsync(e => e.TrackId == id && e.BackendId == MusicnnBackend.BackendId, Ct)).Tags);

        var found = await host.Services.GetRequiredService<CatalogQueries>().SearchAsync(new TrackQuery("demo song"), Ct);
        Assert.Equal(id, Assert.Single(found.Items).Id);
        // Indexed: a query with its own vector finds it first.
        var indexes = host.Services.GetRequiredService<SimilarityIndexes>();
        var musicnn = analysis.Results.Single(r => r.Backend == MusicnnBackend.BackendId);
        var nearest = await indexes.SimilarToVectorAsync(MusicnnBackend.BackendId, musicnn.Embedding, 1, null, Ct);
        Assert.Equal(id, nearest[0].TrackId);
    }

    [Fact]
    public async Task An_add_that_fails_part_way_leaves_no_half_added_track_and_can_be_tried_again()
    {
        string models = Path.GetDirectoryName(Path.GetDirectoryName(SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx")))!;
        var failing = new FailSecondEmbeddingInsert();
        await using var host = await TestHost.StartAsync(b => b.Services.ConfigureDbContext<BlazorRecsDbContext>(o => o.AddInterceptors(failing)),
            $"--BlazorRecs:ModelsDirectory={models}");
        var analyzer = host.Services.GetRequiredService<UploadAnalyzer>();
        string source = Path.Combine(host.DataDirectory, "source.mp3");
        await host.Services.GetRequiredService<Ffmpeg>().RunAsync(["-f", "lavfi", "-i", "sine=frequency=330:duration=5", source], Ct);
        string saved;
        await using (var stream = File.OpenRead(source))
        {
            saved = await analyzer.SaveAsync(stream, Ct);
        }

        var analysis = await analyzer.AnalyzeAsync(saved, 5, Ct);
        Assert.Equal(2, analysis.Results.Count);

        // The track row and the first backend's vector (and its index) are written; the second vector fails.
        failing.Armed = true;
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => analyzer.AddToCatalogAsync(saved, analysis, "My Demo Song", "Me", Ct));
        Assert.Equal(FailSecondEmbeddingInsert.Message, error.InnerException?.Message);
        failing.Armed = false;

        // Nothing of it is left: no track, no vectors, no new artist, no stored audio; the upload is back where the
        // caller deletes what it does not keep, and the index that took the track has dropped it.
        Assert.True(File.Exists(saved));
        await using (var db = await host.DbAsync())
        {
            Assert.Equal(0, await db.Tracks.CountAsync(Ct));
            Assert.Equal(0, await db.TrackEmbeddings.CountAsync(Ct));
            Assert.False(await db.Artists.AnyAsync(a => a.Name == "Me", Ct));
        }

        string stored = Path.Combine(host.DataDirectory, "audio", "uploads");
        Assert.True(!Directory.Exists(stored) || Directory.GetFiles(stored).Length == 0);
        var mfcc = analysis.Results.Single(r => r.Backend == "mfcc");
        var indexes = host.Services.GetRequiredService<SimilarityIndexes>();
        Assert.Empty(await indexes.SimilarToVectorAsync("mfcc", mfcc.Embedding, 5, null, Ct));

        // Tried again, it is added whole.
        int id = await analyzer.AddToCatalogAsync(saved, analysis, "My Demo Song", "Me", Ct);
        await using (var db = await host.DbAsync())
        {
            Assert.Equal(2, await db.TrackEmbeddings.CountAsync(e => e.TrackId == id, Ct));
        }

        Assert.Equal(id, (await indexes.SimilarToVectorAsync("mfcc", mfcc.Embedding, 1, null, Ct))[0].TrackId);
    }

    // While armed, fails the second insert of a track's vector, as a full disk or a lost database would.
    private sealed class FailSecondEmbeddingInsert : DbCommandInterceptor
    {
        public const string Message = "disk I/O error (test)";
        private int _inserts;

        public volatile bool Armed;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
            => Check(command) ? throw new InvalidOperationException(Message) : ValueTask.FromResult(result);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
            => Check(command) ? throw new InvalidOperationException(Message) : ValueTask.FromResult(result);

        private bool Check(DbCommand command) =>
            Armed && command.CommandText.Contains("INSERT INTO \"TrackEmbeddings\"", StringComparison.Ordinal) && Interlocked.Increment(ref _inserts) == 2;
    }
}
