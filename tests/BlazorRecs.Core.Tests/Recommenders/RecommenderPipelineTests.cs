using System.Numerics.Tensors;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Recommenders;

/// <summary>
/// The catalog pipeline end to end on a small synthetic world whose answer is known: tracks come in two clusters
/// of sound, each listener keeps to one cluster, and some tracks of each cluster are released in the final month.
/// The evaluate job must train, evaluate hot and cold and save the run; live recommendations must suit the
/// listener and rank a track added afterwards from its vector alone.
/// </summary>
[Collection(TorchTrainingCollection.Name)]
public sealed class RecommenderPipelineTests
{
    private const string Backend = "test-audio";
    private const int Dim = 8;
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Evaluate_job_saves_hot_and_cold_rows_and_live_recommendations_suit_the_listener_without_retraining()
    {
        await using var host = await TestHost.StartAsync(b => b.AddBlazorRecsJobRunner(),
            "--BlazorRecs:Bert4Rec:Hidden=32", "--BlazorRecs:Bert4Rec:FeedForward=64", "--BlazorRecs:Bert4Rec:MaxEpochs=12",
            "--BlazorRecs:Bert4Rec:BatchSize=32", "--BlazorRecs:Bert4Rec:LearningRate=0.003",
            "--BlazorRecs:ShallowNet:Hidden=32", "--BlazorRecs:ShallowNet:MaxEpochs=10", "--BlazorRecs:ShallowNet:BatchSize=256");
        var world = await SeedWorldAsync(host);

        var job = host.Services.GetServices<IJobHandler>().OfType<EvaluateRecommendersJob>().Single();
        var reports = new Reports();
        var (runId, results, _) = await job.RunAsync(new EvaluateRecommendersParameters(null, [Backend]), reports, Ct);

        Assert.Equal(["pop/–", "knn/test-audio", "shallow-net/test-audio", "shallow-net/random init", "bert4rec/test-audio", "bert4rec/random init"],
            results.Select(r => r.Pair.ToString()));
        var audio = results.Single(r => r.Pair is { Model: "bert4rec", Backend: Backend });
        var pop = results.Single(r => r.Pair.Model == "pop");
        Assert.NotNull(audio.Cold);
        // Cold tracks are ranked among themselves: half of them suit each listener, so sound must beat popularity
        // (every cold track has a training count of zero).
        Assert.True(audio.Cold!["NDCG@10"] > pop.Cold!["NDCG@10"] + 0.1,
            $"cold NDCG@10: audio {audio.Cold["NDCG@10"]:0.000}, pop {pop.Cold["NDCG@10"]:0.000}");

        // The job's progress: fractions that only grow, to 1, and for each trained pair a loss and a validation
        // curve, a point an epoch (the Jobs page draws them).
        Assert.Equal(reports.All.Select(r => r.Fraction).Order(), reports.All.Select(r => r.Fraction));
        Assert.Equal(1.0, reports.All[^1].Fraction);
        foreach (string trained in new[] { "shallow-net/test-audio", "shallow-net/random init", "bert4rec/test-audio", "bert4rec/random init" })
        {
            foreach (string quantity in new[] { "training loss", "validation" })
            {
                var xs = reports.Points.Where(p => p.Series == $"{quantity}: {trained}").Select(p => p.X).ToList();
                Assert.True(xs.Count >= 2, $"{quantity} of {trained}: {xs.Count} points");
                Assert.Equal(Enumerable.Range(1, xs.Count).Select(e => (double)e), xs);
            }
        }

        Assert.DoesNotContain(reports.Points, p => p.Series.EndsWith("pop/–", StringComparison.Ordinal) || p.Series.Contains("knn", StringComparison.Ordinal));

        await using (var db = await host.DbAsync())
        {
            var run = await db.EvaluationRuns.SingleAsync(r => r.Id == runId, Ct);
            Assert.Contains("\"hot\"", run.ResultsJson, StringComparison.Ordinal);
            Assert.Contains("random init", run.ResultsJson, StringComparison.Ordinal);
            // Each audio model carries its paired difference from the same model's random init, on the same listeners:
            // its mean is the difference of the means; the other rows have none.
            var saved = System.Text.Json.JsonSerializer.Deserialize<List<EvaluationRunRow>>(run.ResultsJson, WebJson)!;
            var randomInit = results.Single(r => r.Pair is { Model: "bert4rec", Backend: null });
            var versus = saved.Single(r => r is { Model: "bert4rec", Backend: Backend });
            Assert.Equal(audio.Hot["HR@50"] - randomInit.Hot["HR@50"], versus.HotVersusRandomInit!["HR@50"].Mean, 9);
            Assert.Equal(audio.Cold!["NDCG@10"] - randomInit.Cold!["NDCG@10"], versus.ColdVersusRandomInit!["NDCG@10"].Mean, 9);
            Assert.Equal(audio.Hot.Listeners, versus.HotVersusRandomInit["HR@50"].Count);
            Assert.NotNull(saved.Single(r => r is { Model: "shallow-net", Backend: Backend }).HotVersusRandomInit);
            Assert.All(saved.Where(r => r.Model is "pop" or "knn" || r.Backend == RecommenderPair.RandomInit),
                r => Assert.Null(r.HotVersusRandomInit));
            var checkpoints = await db.TrainedModels.ToListAsync(Ct);
            Assert.Equal(6, checkpoints.Count);
            Assert.All(checkpoints, c => Assert.True(Directory.Exists(Path.Combine(host.DataDirectory, c.CheckpointPath)), c.CheckpointPath));
        }

        // Live: a cluster-0 listener's top 10 are unheard cluster-0 tracks.
        var live = host.Services.GetRequiredService<LiveRecommendations>();
        var pair = new RecommenderPair("bert4rec", Backend);
        int listener = world.ListenersOfCluster[0][0];
        var list = await live.RecommendAsync(listener, pair, 10, Ct);
        var heard = await host.Services.GetRequiredService<CatalogData>().HistoryAsync(listener, Ct);
        Assert.Empty(list.Items.Select(i => i.TrackId).Intersect(heard));
        Assert.True(list.Items.Count(i => world.ClusterOf[i.TrackId] == 0) >= 8,
            $"only {list.Items.Count(i => world.ClusterOf[i.TrackId] == 0)} of 10 from the listener's cluster");
        // Each recommendation is explained by the (at most three) history tracks whose vectors are nearest to its own.
        var (vectors, _) = await host.Services.GetRequiredService<CatalogData>().VectorsAsync(Backend, Ct);
        foreach (var item in list.Items)
        {
            var nearest = heard.OrderByDescending(h => TensorPrimitives.CosineSimilarity(vectors[item.TrackId], vectors[h])).Take(3);
            Assert.Equal(nearest, item.BecauseOf);
        }

        // A track added now, sounding like cluster 0, is ranked for that listener at once, and not for cluster 1.
        int added = await AddTrackAsync(host, Centre(0, 0.01f), "Just uploaded");
        var after = await live.RecommendAsync(listener, pair, 10, Ct);
        Assert.Contains(added, after.Items.Select(i => i.TrackId));
        // A cluster-1 listener has heard most of cluster 1, so their top 10 may have to reach into cluster 0; what
        // must hold is that the added track ranks behind every unheard track of their own cluster.
        var other = (await live.RecommendAsync(world.ListenersOfCluster[1][0], pair, 100, Ct)).Items.Select(i => i.TrackId).ToList();
        int lastOwn = other.FindLastIndex(t => world.ClusterOf.GetValueOrDefault(t, 0) == 1);
        Assert.True(other.IndexOf(added) > lastOwn,
            $"the added track ranks {other.IndexOf(added)} for a cluster-1 listener, whose last own-cluster track ranks {lastOwn}");

        // The other content models, served from their checkpoints, suit the listener too.
        foreach (var model in new[] { "knn", "shallow-net" })
        {
            var items = (await live.RecommendAsync(listener, new RecommenderPair(model, Backend), 10, Ct)).Items;
            Assert.True(items.Count(i => world.ClusterOf.GetValueOrDefault(i.TrackId, 0) == 0) >= 8, $"{model}: too few from the listener's cluster");
        }

        // Popularity and random init exist too; an untrained pair is reported, not guessed.
        var popular = await live.RecommendAsync(listener, new RecommenderPair("pop", null), 10, Ct);
        Assert.Equal(10, popular.Items.Count);
        // Models that hear nothing are explained by sound all the same, under a backend that has vectors (MusiCNN
        // where there is one; this world has only its test backend).
        Assert.Equal(Backend, popular.ExplainedWith);
        foreach (var item in popular.Items)
        {
            Assert.Equal(heard.OrderByDescending(h => TensorPrimitives.CosineSimilarity(vectors[item.TrackId], vectors[h])).Take(3), item.BecauseOf);
        }

        await Assert.ThrowsAsync<KeyNotFoundException>(() => live.RecommendAsync(listener, new RecommenderPair("bert4rec", "mfcc"), 10, Ct));

        // One pair as the admin trains it, a train-recommender job: it succeeds with its figures, its curves are
        // kept with the job, and its checkpoint serves.
        var jobs = host.Services.GetRequiredService<JobService>();
        var queued = await jobs.EnqueueAsync(TrainRecommenderJob.JobKind, $"{{\"model\": \"shallow-net\", \"backend\": \"{Backend}\"}}", Ct);
        var done = await WaitForEndAsync(jobs, queued.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        Assert.Contains("shallow-net/test-audio: hot HR@50 ", done.Message, StringComparison.Ordinal);
        var losses = done.Curve.Where(p => p.Series == "training loss: shallow-net/test-audio").ToList();
        Assert.True(losses.Count >= 2, $"{losses.Count} loss points");
        Assert.Equal(Enumerable.Range(1, losses.Count).Select(e => (double)e), losses.Select(p => p.X));
        Assert.True(losses[^1].Y < losses[0].Y, $"loss {losses[0].Y} -> {losses[^1].Y}");
        Assert.Equal(losses.Count, done.Curve.Count(p => p.Series == "validation: shallow-net/test-audio"));
        int newest;
        await using (var db = await host.DbAsync())
        {
            var rows = await db.TrainedModels.Where(m => m.Model == "shallow-net" && m.BackendId == Backend).Select(m => m.Id).ToListAsync(Ct);
            Assert.Equal(2, rows.Count);
            newest = rows.Max();
        }

        var retrained = await live.RecommendAsync(listener, new RecommenderPair("shallow-net", Backend), 10, Ct);
        Assert.Equal(newest, retrained.Model.TrainedModelId);
        Assert.True(retrained.Items.Count(i => world.ClusterOf.GetValueOrDefault(i.TrackId, 0) == 0) >= 8, "the retrained shallow-net: too few from the listener's cluster");

        // Retrained (a newer checkpoint row of the pair): the newer one serves and the older one is released.
        TrainedModel first, second;
        await using (var db = await host.DbAsync())
        {
            first = await db.TrainedModels.AsNoTracking().SingleAsync(m => m.Model == "bert4rec" && m.BackendId == Backend, Ct);
            second = new TrainedModel
            {
                Model = first.Model, BackendId = first.BackendId, BackendVersion = first.BackendVersion,
                CheckpointPath = first.CheckpointPath, CreatedAt = first.CreatedAt.AddMinutes(1),
            };
            db.TrainedModels.Add(second);
            await db.SaveChangesAsync(Ct);
        }

        Assert.Contains(first.Id, live.LoadedCheckpoints);
        Assert.Equal(second.Id, (await live.RecommendAsync(listener, pair, 10, Ct)).Model.TrainedModelId);
        Assert.Contains(second.Id, live.LoadedCheckpoints);
        Assert.DoesNotContain(first.Id, live.LoadedCheckpoints);

        // The backend's vectors change version (its model changed, the catalog is embedded again): the audio
        // checkpoint's weights belong to the old vectors, so it is refused with the reason until retrained.
        Assert.Equal("v1", second.BackendVersion);
        await host.Services.GetRequiredService<EmbeddingStore>().UpsertBackendAsync(
            new BackendInfo(Backend, "test", Dim, "v2", BackendStatus.Available, "", 16000, false), Ct);
        var refused = await Assert.ThrowsAsync<KeyNotFoundException>(() => live.RecommendAsync(listener, pair, 10, Ct));
        Assert.Contains("version v1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("version v2", refused.Message, StringComparison.Ordinal);
        Assert.Contains("retrain", refused.Message, StringComparison.Ordinal);
        Assert.Equal(10, (await live.RecommendAsync(listener, new RecommenderPair("pop", null), 10, Ct)).Items.Count);
    }

    private static async Task<JobSnapshot> WaitForEndAsync(JobService jobs, long id)
    {
        // Generous: the machines that run the suite are shared, and the job trains a model.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            if (await jobs.GetAsync(id, Ct) is { State: JobState.Succeeded or JobState.Failed or JobState.Cancelled } job)
            {
                return job;
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException($"job {id} did not end within five minutes");
    }

    // Progress as reported, on the reporting thread (Progress<T> would post it elsewhere, after the fact).
    private sealed class Reports : IProgress<JobProgress>
    {
        public List<JobProgress> All { get; } = [];

        public IEnumerable<CurvePoint> Points => All.SelectMany(r => r.Points ?? []);

        public void Report(JobProgress value)
        {
            lock (All)
            {
                All.Add(value);
            }
        }
    }

    private sealed record World(Dictionary<int, int> ClusterOf, List<int>[] ListenersOfCluster);

    private static async Task<World> SeedWorldAsync(TestHost host)
    {
        var store = host.Services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo(Backend, "test", Dim, "v1", BackendStatus.Available, "", 16000, false), Ct);
        var random = new Random(17);
        var clusterOf = new Dictionary<int, int>();
        var old = new[] { new List<int>(), new List<int>() };
        var fresh = new[] { new List<int>(), new List<int>() };
        for (int c = 0; c < 2; c++)
        {
            for (int i = 0; i < 30; i++)
            {
                int id = await AddTrackAsync(host, Centre(c, (float)random.NextDouble()), $"c{c}-{i}");
                clusterOf[id] = c;
                (i < 24 ? old : fresh)[c].Add(id);
            }
        }

        var listeners = new[] { new List<int>(), new List<int>() };
        await using var db = await host.DbAsync();
        for (int l = 0; l < 80; l++)
        {
            int c = l % 2;
            var listener = new Listener { Name = $"l{l}", Kind = ListenerKind.Persona, CreatedAt = Start };
            db.Listeners.Add(listener);
            await db.SaveChangesAsync(Ct);
            listeners[c].Add(listener.Id);
            // 13 months of plays of the listener's cluster, then the final month with some new releases.
            for (int p = 0; p < 30; p++)
            {
                int day = random.Next(0, 13 * 30);
                db.Plays.Add(Play(listener.Id, old[c][random.Next(old[c].Count)], Start.AddDays(day)));
            }

            var last = Start.AddDays(13 * 30 + 20);
            for (int p = 0; p < 6; p++)
            {
                var pool = p % 2 == 0 ? fresh[c] : old[c];
                db.Plays.Add(Play(listener.Id, pool[random.Next(pool.Count)], last.AddDays(random.Next(0, 25))));
            }
        }

        await db.SaveChangesAsync(Ct);
        return new World(clusterOf, listeners);
    }

    private static Play Play(int listener, int track, DateTimeOffset at) =>
        new() { ListenerId = listener, TrackId = track, StartedAt = at, MsPlayed = 30_000, Source = PlaySource.Simulated };

    // Two directions of sound with a little variety along a third.
    private static float[] Centre(int cluster, float jitter)
    {
        var v = new float[Dim];
        v[cluster] = 1;
        v[2 + cluster] = jitter;
        v[7] = jitter * 0.5f;
        return v;
    }

    private static async Task<int> AddTrackAsync(TestHost host, float[] vector, string title)
    {
        await using var db = await host.DbAsync();
        var track = new Track { Title = title, Artist = new Artist { Name = "a" }, DurationMs = 30_000, AudioPath = "none.mp3", ReleasedAt = Start, AddedAt = Start };
        db.Tracks.Add(track);
        await db.SaveChangesAsync(Ct);
        await host.Services.GetRequiredService<EmbeddingStore>().SaveAsync(track.Id, Backend, "v1", new AudioEmbedding(vector, null), Ct);
        return track.Id;
    }
}
