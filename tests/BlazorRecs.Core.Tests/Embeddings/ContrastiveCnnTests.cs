using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Contrastive;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Embeddings;

[Collection(TorchTrainingCollection.Name)]
public sealed class ContrastiveCnnTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void NtXent_is_the_cross_entropy_of_picking_each_views_twin_among_all_other_views()
    {
        const double t = 0.5;
        // Two tracks whose two views agree exactly and are orthogonal to the other track's.
        using var z = tensor(new float[] { 1, 0, 0, 1, 1, 0, 0, 1 }, [4, 2]);
        // Each row: its twin at cosine 1, two other views at cosine 0 (itself excluded).
        double expected = -Math.Log(Math.Exp(1 / t) / (Math.Exp(1 / t) + 2));

        using var loss = ContrastiveCnnNetwork.NtXent(z, t);

        Assert.Equal(expected, loss.item<float>(), 5);
        // Pairing each view with the other track's instead is much worse.
        using var swapped = tensor(new float[] { 1, 0, 0, 1, 0, 1, 1, 0 }, [4, 2]);
        using var worse = ContrastiveCnnNetwork.NtXent(swapped, t);
        Assert.Equal(-Math.Log(1 / (Math.Exp(1 / t) + 2)), worse.item<float>(), 5);
    }

    [Fact]
    public void The_encoder_maps_log_mel_chunks_to_unit_128_d_vectors()
    {
        using var network = new ContrastiveCnnNetwork(4);
        network.eval();
        using var x = randn(3, 1, 32, 48);

        using var z = network.call(x);

        Assert.Equal([3L, 128L], z.shape);
        using var norms = z.norm(1);
        Assert.All(norms.data<float>().ToArray(), n => Assert.Equal(1f, n, 4));
    }

    [Fact]
    public void Asked_to_finish_early_the_trainer_ends_after_the_epoch_in_progress_and_says_the_request_ended_it()
    {
        // Eight random "spectrograms" of 40 frames x 16 bands; three epochs planned, no time budget.
        var random = new Random(2);
        float[][] spectrograms = [.. Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 40 * 16).Select(_ => (float)random.NextDouble()).ToArray())];
        var options = new ContrastiveCnnOptions { MelBands = 16, ChunkFrames = 16, BaseChannels = 4, BatchSize = 4, Epochs = 3, TimeBudget = null };
        using var finish = new CancellationTokenSource();
        finish.Cancel();

        var (network, epochs) = new ContrastiveCnnTrainer(options, CPU).Train(spectrograms, null, Ct, finish.Token);
        using (network)
        {
            var only = Assert.Single(epochs);
            Assert.True(only.FinishedOnRequest);
        }

        // Not asked: all three epochs, none of them marked.
        var (full, all) = new ContrastiveCnnTrainer(options, CPU).Train(spectrograms, null, Ct);
        using (full)
        {
            Assert.Equal([1, 2, 3], all.Select(e => e.Epoch));
            Assert.DoesNotContain(all, e => e.FinishedOnRequest);
        }
    }

    [Fact]
    public async Task Before_training_the_backend_is_unavailable_and_says_how_to_train_it_and_training_an_empty_catalog_says_why_not()
    {
        await using var host = await TestHost.StartAsync();
        var info = host.Services.GetRequiredService<EmbeddingRegistry>().Find(ContrastiveCnnBackend.BackendId)!.Describe();
        Assert.Equal(BackendStatus.Unavailable, info.Status);
        Assert.Contains("train-contrastive-cnn", info.Detail, StringComparison.Ordinal);

        await using var scope = host.Services.CreateAsyncScope();
        var job = scope.ServiceProvider.GetServices<IJobHandler>().OfType<TrainContrastiveCnnJob>().Single();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => job.TrainAsync(new Progress<JobProgress>(), Ct));
        Assert.Contains("Seed or import a catalog first", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_learns_lowers_the_loss_and_makes_a_versioned_backend_whose_neighbours_share_genre()
    {
        await using var host = await TestHost.StartAsync(null,
            "--BlazorRecs:ContrastiveCnn:Epochs=60", "--BlazorRecs:ContrastiveCnn:BatchSize=8", "--BlazorRecs:ContrastiveCnn:ChunkFrames=32",
            "--BlazorRecs:ContrastiveCnn:MelBands=32", "--BlazorRecs:ContrastiveCnn:BaseChannels=4");
        var ffmpeg = host.Services.GetRequiredService<Ffmpeg>();
        Directory.CreateDirectory(Path.Combine(host.DataDirectory, "audio"));
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "Test" };
            for (int i = 0; i < 8; i++)
            {
                // "tones": a melody, a new note of the track's own scale every quarter second; "noise": bursts of
                // noise whose level changes as often. Each track differs, and changes within itself, as music does.
                // (Commas inside a filter's expression are escaped for the filtergraph parser.)
                string tone = Path.Combine(host.DataDirectory, "audio", $"tone{i}.mp3"), noise = Path.Combine(host.DataDirectory, "audio", $"noise{i}.mp3");
                string pitch = $"({180 + 40 * i}*pow(1.12\\,mod(floor(4*t)*{3 + i % 4}\\,7)))";
                await ffmpeg.RunAsync(["-f", "lavfi", "-i", $"aevalsrc=0.4*sin(2*PI*{pitch}*t)+0.15*sin(4*PI*{pitch}*t):s=22050:d=4", tone], Ct);
                await ffmpeg.RunAsync(["-f", "lavfi", "-i", $"aevalsrc=(0.1+0.08*mod(floor(4*t)*{3 + i}\\,5))*(2*random(0)-1):s=22050:d=4", noise], Ct);
                db.Tracks.Add(new Track { Title = $"tone {i}", Artist = artist, Genre = "tones", DurationMs = 4000, AudioPath = $"audio/tone{i}.mp3" });
                db.Tracks.Add(new Track { Title = $"noise {i}", Artist = artist, Genre = "noise", DurationMs = 4000, AudioPath = $"audio/noise{i}.mp3" });
            }

            await db.SaveChangesAsync(Ct);
        }

        await using var scope = host.Services.CreateAsyncScope();
        var handlers = scope.ServiceProvider.GetServices<IJobHandler>().ToList();
        var points = new List<CurvePoint>();
        var job = handlers.OfType<TrainContrastiveCnnJob>().Single();

        var model = await job.TrainAsync(new SynchronousProgress(p => points.AddRange(p.Points ?? [])), Ct);

        Assert.Equal(16, model.Tracks);
        Assert.Equal(60, model.Losses.Count);
        // Two batches an epoch make single epochs noisy: compare the first and last ten epochs.
        double first = model.Losses.Take(10).Average(), last = model.Losses.TakeLast(10).Average();
        Assert.True(last < 0.9 * first, $"NT-Xent {first:0.000} -> {last:0.000}");
        Assert.Equal(model.Losses, points.Where(p => p.Series == TrainContrastiveCnnJob.LossCurve).Select(p => p.Y));
        Assert.Equal(7.0 / 15, model.GenreChance!.Value, 6);
        // Each genre has 8 tracks, so at most 7 of a track's 10 neighbours (0.7) can share it; chance is 7/15.
        Assert.True(model.GenreAgreement!.Value is >= 0.6 and <= 0.7, $"genre agreement@10 {model.GenreAgreement:0.000}");
        Assert.Contains(EmbedTracksJob.JobKind, job.FollowUps);

        // The backend is now available under the weights' version, and embeds the catalog as the job measured it.
        var backend = host.Services.GetRequiredService<EmbeddingRegistry>().Find(ContrastiveCnnBackend.BackendId)!;
        var info = backend.Describe();
        Assert.Equal(BackendStatus.Available, info.Status);
        Assert.Equal(model.Version, info.Version);
        Assert.Matches("^cnn-[0-9a-f]{12}$", info.Version);
        var computed = await handlers.OfType<EmbedTracksJob>().Single().RunAsync(new EmbedJobParameters(ContrastiveCnnBackend.BackendId), new Progress<JobProgress>(), Ct);
        Assert.Equal(16, computed[ContrastiveCnnBackend.BackendId]);
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        var vectors = new List<float[]>();
        for (int id = 1; id <= 16; id++)
        {
            vectors.Add((await store.VectorAsync(id, ContrastiveCnnBackend.BackendId, Ct))!);
        }

        Assert.All(vectors, v => Assert.Equal(1f, MathF.Sqrt(v.Sum(x => x * x)), 4));
        var (share, _) = GenreAgreement.Compute(vectors, Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? "tones" : "noise").ToList(), 5);
        Assert.True(share >= 0.9, $"genre agreement of the stored vectors {share}");
    }

    private sealed class SynchronousProgress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => report(value);
    }
}
