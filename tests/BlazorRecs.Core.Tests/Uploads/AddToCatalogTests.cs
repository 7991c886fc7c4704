using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Uploads;
using BlazorRecs.TestSupport;
using Microsoft.EntityFrameworkCore;
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
}
