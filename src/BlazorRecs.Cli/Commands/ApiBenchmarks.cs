using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using BlazorRecs.Core;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Evaluation.Splits;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Similarity;
using BlazorRecs.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlazorRecs.Cli.Commands;

/// <summary>
/// <c>bench api</c>: latency of "similar tracks" and "recommendations" end to end through the real web app's HTTP API
/// on a large synthetic catalog (tracks with clustered vectors for both built-in backends, listeners who keep to a
/// cluster), next to the in-process search costs of FAISS flat and a brute-force TensorPrimitives scan, all measured
/// in the same run. The catalog has no audio: it exists to measure search and ranking at scale.
/// </summary>
internal static class ApiBenchmarks
{
    private static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static Command Create()
    {
        var tracks = new Option<int>("--tracks") { Description = "Catalog size", DefaultValueFactory = _ => 20_000 };
        var listeners = new Option<int>("--listeners") { Description = "Listeners", DefaultValueFactory = _ => 2_000 };
        var plays = new Option<int>("--plays") { Description = "Plays per listener", DefaultValueFactory = _ => 100 };
        var requests = new Option<int>("--requests") { Description = "Timed requests per endpoint", DefaultValueFactory = _ => 300 };
        var command = new Command("api", "p50/p99 of browsing, /similar and /recommendations through HTTP on a synthetic catalog; FAISS flat vs brute force")
        {
            tracks, listeners, plays, requests,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            string data = Directory.CreateTempSubdirectory("blazorrecs-bench-api-").FullName;
            string[] settings = [.. parse.UnmatchedTokens, $"--BlazorRecs:DataDirectory={data}", "--BlazorRecs:Bert4Rec:MaxEpochs=1"];
            try
            {
                var clock = Stopwatch.StartNew();
                using (IHost host = CliHost.Build(settings))
                {
                    await host.StartAsync(ct);
                    await SyntheticCatalog.CreateAsync(host.Services, parse.GetValue(tracks), parse.GetValue(listeners), parse.GetValue(plays), ct);
                    Console.WriteLine($"synthetic catalog: {parse.GetValue(tracks)} tracks, {parse.GetValue(listeners)} listeners x {parse.GetValue(plays)} plays, " +
                                      $"vectors for mfcc and musicnn-msd, in {F(clock.Elapsed.TotalSeconds)} s");
                    clock.Restart();
                    var training = host.Services.GetRequiredService<RecommenderTraining>();
                    var split = await training.SplitAsync(new TemporalSplitSettings(), ct);
                    foreach (var pair in new[] { new RecommenderPair("pop", null), new RecommenderPair("bert4rec", MusicnnBackend.BackendId) })
                    {
                        await training.TrainAsync(split, pair, null, null, ct);
                    }

                    Console.WriteLine($"trained pop and bert4rec/musicnn-msd (1 epoch: latency does not depend on quality) in {F(clock.Elapsed.TotalSeconds)} s");
                    await InProcessSearchAsync(host.Services, parse.GetValue(requests), ct);
                    await host.StopAsync(ct);
                }

                await ThroughHttpAsync(settings, parse.GetValue(tracks), parse.GetValue(listeners), parse.GetValue(requests), ct);
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(data, recursive: true);
            }

            return 0;
        });
        return command;
    }

    // The search step alone: the FAISS flat index against a brute-force cosine scan with TensorPrimitives.
    private static async Task InProcessSearchAsync(IServiceProvider services, int requests, CancellationToken ct)
    {
        var indexes = services.GetRequiredService<SimilarityIndexes>();
        var (vectors, dimension) = await services.GetRequiredService<CatalogData>().VectorsAsync(MusicnnBackend.BackendId, ct);
        var prepare = await indexes.PreparerAsync(MusicnnBackend.BackendId, ct);
        int[] ids = vectors.Keys.Order().ToArray();
        var matrix = new float[ids.Length * dimension];
        for (int i = 0; i < ids.Length; i++)
        {
            prepare(vectors[ids[i]]).CopyTo(matrix, i * dimension);
        }

        // The raw search: one flat inner-product index over the same prepared vectors the app indexes.
        using var flat = BlazorRecs.Faiss.FaissIndex.Create(dimension, "Flat");
        flat.Add(matrix, ids.Select(id => (long)id).ToArray());
        var random = new Random(1);
        var faiss = new List<double>();
        var brute = new List<double>();
        var service = new List<double>();
        var scores = new float[ids.Length];
        var top = new int[11];
        for (int r = 0; r < requests + 10; r++)
        {
            int id = ids[random.Next(ids.Length)];
            float[] query = prepare(vectors[id]);
            var clock = Stopwatch.StartNew();
            flat.Search(query, 11);
            double f = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            for (int i = 0; i < ids.Length; i++)
            {
                scores[i] = TensorPrimitives.Dot(query, matrix.AsSpan(i * dimension, dimension));
            }

            BlazorRecs.Core.Evaluation.RankingEvaluator.TopK(scores, null, top);
            double b = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            await indexes.SimilarToVectorAsync(MusicnnBackend.BackendId, vectors[id], 10, id, ct);
            double s = clock.Elapsed.TotalMilliseconds;
            if (r >= 10)
            {
                faiss.Add(f);
                brute.Add(b);
                service.Add(s);
            }
        }

        Console.WriteLine($"in-process nearest-10 search over {ids.Length} x {dimension}: FAISS flat p50 {F(P(faiss, 50), "0.00")} ms, p99 {F(P(faiss, 99), "0.00")} ms; " +
                          $"brute-force TensorPrimitives p50 {F(P(brute, 50), "0.00")} ms, p99 {F(P(brute, 99), "0.00")} ms; brute/FAISS at p50 {F(P(brute, 50) / P(faiss, 50), "0.00")}");
        Console.WriteLine($"SimilarityIndexes (freshness check against the database + FAISS search): p50 {F(P(service, 50), "0.00")} ms, p99 {F(P(service, 99), "0.00")} ms");
    }

    private static async Task ThroughHttpAsync(string[] settings, int tracks, int listeners, int requests, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. settings, "--urls=http://127.0.0.1:0"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddBlazorRecsCore();
        builder.AddBlazorRecsWeb();
        await using var app = builder.Build();
        app.UseBlazorRecsWeb();
        app.MapBlazorRecsApi();
        await app.StartAsync(ct);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var random = new Random(2);
        int firstTrack, firstListener;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>().CreateDbContextAsync(ct))
        {
            firstTrack = await db.Tracks.MinAsync(t => t.Id, ct);
            firstListener = await db.Listeners.MinAsync(l => l.Id, ct);
        }

        async Task<(double P50, double P99)> TimeAsync(Func<string> url)
        {
            var times = new List<double>();
            for (int r = 0; r < requests + 10; r++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(url(), ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                response.EnsureSuccessStatusCode();
                if (r >= 10)
                {
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            return (P(times, 50), P(times, 99));
        }

        // Browse as the track list asks for it: the first screen, a deep scroll, each sort, a search and a genre.
        int pages = Math.Max(1, tracks / 50);
        foreach (var (label, url) in new (string, Func<string>)[]
        {
            ("sort=popularity&page=1", () => "/api/tracks?sort=popularity&page=1"),
            ("sort=popularity&page=<random>", () => $"/api/tracks?sort=popularity&page={1 + random.Next(pages)}"),
            ("sort=newest&page=<random>", () => $"/api/tracks?sort=newest&page={1 + random.Next(pages)}"),
            ("query=<title prefix>", () => $"/api/tracks?query=Synthetic%20{random.Next(tracks)}"),
            ("genre=<genre>&sort=popularity", () => $"/api/tracks?genre=cluster%20{random.Next(40)}&sort=popularity"),
        })
        {
            var browse = await TimeAsync(url);
            Console.WriteLine($"HTTP GET /api/tracks?{label} ({tracks} tracks): p50 {F(browse.P50, "0.00")} ms, p99 {F(browse.P99, "0.00")} ms");
        }

        // The popularity sort against what it replaced: counting each track's plays inside the ORDER BY.
        var contexts = app.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>();
        async Task<double> PageP50Async(int runs, Func<BlazorRecsDbContext, int, IQueryable<int>> page)
        {
            var times = new List<double>();
            for (int r = 0; r < runs + 3; r++)
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var clock = Stopwatch.StartNew();
                await page(db, 50 * random.Next(pages)).ToListAsync(ct);
                if (r >= 3)
                {
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            return P(times, 50);
        }

        double indexed = await PageP50Async(Math.Min(requests, 100), (db, skip) => db.Tracks.OrderByDescending(t => t.PlayCount).ThenBy(t => t.Id).Skip(skip).Take(50).Select(t => t.Id));
        // The counting query takes most of a second per page: a few runs are enough.
        double counted = await PageP50Async(10, (db, skip) => db.Tracks.OrderByDescending(t => db.Plays.Count(p => p.TrackId == t.Id && !p.IsSkip))
            .ThenBy(t => t.Id).Skip(skip).Take(50).Select(t => t.Id));
        Console.WriteLine($"popularity page in process: indexed Tracks.PlayCount p50 {F(indexed, "0.00")} ms; counting plays per track p50 {F(counted, "0.00")} ms; " +
                          $"counting/indexed {F(counted / indexed)}");

        var similar = await TimeAsync(() => $"/api/tracks/{firstTrack + random.Next(tracks)}/similar?backend=musicnn-msd&k=10");
        Console.WriteLine($"HTTP GET /api/tracks/{{id}}/similar?backend=musicnn-msd&k=10 ({tracks} tracks, FAISS flat): p50 {F(similar.P50, "0.00")} ms, p99 {F(similar.P99, "0.00")} ms");
        foreach (var (model, backend) in new[] { ("bert4rec", "musicnn-msd"), ("pop", "") })
        {
            var recommend = await TimeAsync(() => $"/api/listeners/{firstListener + random.Next(listeners)}/recommendations?model={model}&backend={backend}&k=10");
            Console.WriteLine($"HTTP GET /api/listeners/{{id}}/recommendations?model={model}{(backend.Length > 0 ? "&backend=" + backend : "")}&k=10 ({tracks} tracks): " +
                              $"p50 {F(recommend.P50, "0.00")} ms, p99 {F(recommend.P99, "0.00")} ms (goal p50 <= 20 ms)");
        }

        await app.StopAsync(ct);
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// A catalog for benchmarks only: tracks in 40 clusters of sound (random centres plus noise, for the mfcc and
/// musicnn-msd dimensions), listeners who each keep to two clusters, and 13 months of plays.
/// </summary>
internal static class SyntheticCatalog
{
    public static async Task CreateAsync(IServiceProvider services, int tracks, int listeners, int playsPerListener, CancellationToken ct)
    {
        const int clusters = 40;
        var random = new Random(7);
        var contexts = services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>();
        var now = DateTimeOffset.UtcNow;
        var start = now.AddMonths(-13);
        var clusterOf = new int[tracks];
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var artists = Enumerable.Range(0, Math.Max(1, tracks / 20)).Select(a => new Artist { Name = $"Synthetic Artist {a}", Genre = $"cluster {a % clusters}" }).ToList();
            db.Artists.AddRange(artists);
            for (int t = 0; t < tracks; t++)
            {
                var artist = artists[t / 20 % artists.Count];
                clusterOf[t] = (t / 20) % clusters;
                db.Tracks.Add(new Track
                {
                    Title = $"Synthetic {t}", Artist = artist, Genre = artist.Genre, DurationMs = 30_000, AudioPath = "synthetic/none.mp3",
                    Source = TrackSource.Seed, ReleasedAt = start.AddDays(random.Next(0, 13 * 30)), AddedAt = start,
                });
            }

            await db.SaveChangesAsync(ct);
        }

        var store = services.GetRequiredService<EmbeddingStore>();
        int[] trackIds;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            trackIds = await db.Tracks.OrderBy(t => t.Id).Select(t => t.Id).ToArrayAsync(ct);
        }

        foreach (var (backend, dimension) in new[] { (MfccBackend.BackendId, 104), (MusicnnBackend.BackendId, 200) })
        {
            await store.UpsertBackendAsync(new BackendInfo(backend, "synthetic", dimension, "synthetic-1", BackendStatus.Available, "synthetic benchmark vectors", 16000, false), ct);
            var centres = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray()).ToArray();
            await using var db = await contexts.CreateDbContextAsync(ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (int t = 0; t < tracks; t++)
            {
                var vector = centres[clusterOf[t]].Select(c => c + (float)(random.NextDouble() - 0.5) * 0.6f).ToArray();
                db.TrackEmbeddings.Add(new TrackEmbedding
                {
                    TrackId = trackIds[t], BackendId = backend, Version = "synthetic-1", Vector = EmbeddingStore.ToBytes(vector), ComputedAt = now,
                });
            }

            await db.SaveChangesAsync(ct);
        }

        await using var context = await contexts.CreateDbContextAsync(ct);
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)context.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(ct);
        using var addListener = BulkInserts.Listeners(connection, transaction, ListenerKind.Persona);
        using var addPlay = BulkInserts.Plays(connection, transaction, PlaySource.Simulated);
        var byCluster = Enumerable.Range(0, clusters).Select(c => Enumerable.Range(0, tracks).Where(t => clusterOf[t] == c).ToArray()).ToArray();
        for (int l = 0; l < listeners; l++)
        {
            long id = await BulkInserts.AddListenerAsync(addListener, $"Synthetic listener {l}", $"synthetic-{l}", start, null, ct);
            int[] favourite = [random.Next(clusters), random.Next(clusters)];
            for (int p = 0; p < playsPerListener; p++)
            {
                var pool = byCluster[favourite[p % 2]];
                await BulkInserts.AddPlayAsync(addPlay, id, trackIds[pool[random.Next(pool.Length)]], start.AddMinutes(random.Next(0, 13 * 30 * 24 * 60)), 30_000, false, ct);
            }
        }

        await transaction.CommitAsync(ct);
    }
}
