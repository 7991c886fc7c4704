using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Embeddings;

public sealed class EmbedTracksJobTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_available_backend_embeds_every_track_once_and_a_bad_file_is_skipped()
    {
        string models = Path.GetDirectoryName(Path.GetDirectoryName(SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx")))!;
        await using var host = await TestHost.StartAsync(null, $"--BlazorRecs:ModelsDirectory={models}");
        var ffmpeg = host.Services.GetRequiredService<Ffmpeg>();
        Directory.CreateDirectory(Path.Combine(host.DataDirectory, "audio"));
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=220:duration=4", Path.Combine(host.DataDirectory, "audio", "low.mp3")], Ct);
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "anoisesrc=d=4:c=pink:a=0.3:r=44100", Path.Combine(host.DataDirectory, "audio", "noise.mp3")], Ct);
        await File.WriteAllBytesAsync(Path.Combine(host.DataDirectory, "audio", "broken.mp3"), new byte[3000], Ct);
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "Test" };
            foreach (string file in new[] { "low", "noise", "broken" })
            {
                db.Tracks.Add(new Track { Title = file, Artist = artist, DurationMs = 4000, AudioPath = $"audio/{file}.mp3" });
            }

            await db.SaveChangesAsync(Ct);
        }

        await using var scope = host.Services.CreateAsyncScope();
        var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<EmbedTracksJob>().Single();

        var computed = await job.RunAsync(new EmbedJobParameters(), new Progress<JobProgress>(), Ct);

        Assert.Equal(2, computed[MfccBackend.BackendId]);
        Assert.Equal(2, computed[MusicnnBackend.BackendId]);
        await using (var db = await host.DbAsync())
        {
            var rows = await db.TrackEmbeddings.ToListAsync(Ct);
            Assert.Equal(4, rows.Count);
            Assert.All(rows.Where(r => r.BackendId == MfccBackend.BackendId), r => Assert.Equal(104 * 4, r.Vector.Length));
            Assert.All(rows.Where(r => r.BackendId == MusicnnBackend.BackendId), r =>
            {
                Assert.Equal(200 * 4, r.Vector.Length);
                Assert.Equal(50 * 4, r.Tags!.Length);
            });
            var backends = await db.EmbeddingBackends.OrderBy(b => b.Id).ToListAsync(Ct);
            Assert.Equal([MfccBackend.BackendId, MusicnnBackend.BackendId], backends.Select(b => b.Id));
            Assert.StartsWith("msd-musicnn-1@", backends[1].Version, StringComparison.Ordinal);
        }

        // Incremental: nothing is stale any more (the broken file is tried again, and skipped again).
        var again = await job.RunAsync(new EmbedJobParameters(MfccBackend.BackendId), new Progress<JobProgress>(), Ct);
        Assert.Equal(0, again[MfccBackend.BackendId]);

        // The two sounds are told apart by both backends.
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        float[] low = (await store.VectorAsync(1, MusicnnBackend.BackendId, Ct))!, noise = (await store.VectorAsync(2, MusicnnBackend.BackendId, Ct))!;
        Assert.NotEqual(low, noise);
    }

    [Fact]
    public async Task Without_model_files_musicnn_is_unavailable_and_says_where_to_get_them()
    {
        string empty = Directory.CreateTempSubdirectory("blazorrecs-nomodels-").FullName;
        try
        {
            await using var host = await TestHost.StartAsync(null, $"--BlazorRecs:ModelsDirectory={empty}");
            var registry = host.Services.GetRequiredService<EmbeddingRegistry>();

            var infos = registry.Describe();

            var mfcc = Assert.Single(infos, i => i.Id == MfccBackend.BackendId);
            Assert.Equal(BackendStatus.Available, mfcc.Status);
            Assert.Equal(104, mfcc.Dimension);
            var musicnn = Assert.Single(infos, i => i.Id == MusicnnBackend.BackendId);
            Assert.Equal(BackendStatus.Unavailable, musicnn.Status);
            Assert.Contains("msd-musicnn-1.onnx", musicnn.Detail, StringComparison.Ordinal);
            Assert.Contains("essentia.upf.edu", musicnn.Detail, StringComparison.Ordinal);

            await using var scope = host.Services.CreateAsyncScope();
            var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<EmbedTracksJob>().Single();
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync(new EmbedJobParameters(MusicnnBackend.BackendId), new Progress<JobProgress>(), Ct));
            Assert.Contains("not available", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
