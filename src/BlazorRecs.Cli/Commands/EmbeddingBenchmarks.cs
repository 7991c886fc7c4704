using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Mfcc;
using BlazorRecs.Core.Embeddings.Musicnn;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Onnx;
using BlazorRecs.Core.Similarity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Cli.Commands;

/// <summary><c>bench upload</c> and <c>bench embed</c>: figures for the embedding pipeline, measured in one run.</summary>
internal static class EmbeddingBenchmarks
{
    private static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>An upload of a long recording to ranked neighbours, step by step, repeated for p50 and p90.</summary>
    public static Command Upload()
    {
        var file = new Option<string?>("--file") { Description = "The recording (default: ../shared/audio/vibe-ace-jazz.mp3 looped to 4 minutes)" };
        var runs = new Option<int>("--runs") { Description = "Repetitions", DefaultValueFactory = _ => 7 };
        var command = new Command("upload", "Time an upload's analysis by all backends: decode, log-mel, each model, search (p50, p90)") { file, runs };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            var sp = host.Services;
            var ffmpeg = sp.GetRequiredService<Ffmpeg>();
            string input = parse.GetValue(file) ?? await FourMinuteRecordingAsync(ffmpeg, ct);
            var info = await ffmpeg.ProbeAsync(input, ct);
            var files = sp.GetRequiredService<BlazorRecs.Core.Embeddings.PretrainedModelFiles>();
            using var musicnn = new MusicnnModel(sp.GetRequiredService<OnnxRuntimeHost>(),
                files.PathOf(BlazorRecs.Core.Embeddings.PretrainedModelFiles.MusicnnMsd.RelativeFiles[0]),
                files.PathOf(BlazorRecs.Core.Embeddings.PretrainedModelFiles.MusicnnMsd.RelativeFiles[1]));
            var indexes = sp.GetRequiredService<SimilarityIndexes>();
            var analyzer = sp.GetRequiredService<BlazorRecs.Core.Uploads.UploadAnalyzer>();
            var limits = analyzer.Limits;
            var excerpts = limits.ExcerptsFor(info.Duration.TotalSeconds);
            var wholeFileAnalyzer = ActivatorUtilities.CreateInstance<BlazorRecs.Core.Uploads.UploadAnalyzer>(sp, Options.Create(limits with { Excerpts = 0 }));
            int maxPatches = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value.MusicnnMaxPatches;
            bool searchable = await HasVectorsAsync(sp, ct);
            Console.WriteLine($"input {Path.GetFileName(input)}: {F(info.Duration.TotalSeconds)} s; MusiCNN patches: at most {maxPatches}; " +
                              $"search: {(searchable ? "over the configured catalog's indexes" : "skipped (no vectors in the configured data directory)")}; " +
                              $"the analyser hears {(excerpts is null ? "the whole file" : $"{excerpts.Count} excerpts of {F(limits.ExcerptSeconds, "0.000")} s")}");

            var steps = new Dictionary<string, List<double>>();
            void Record(string step, Stopwatch clock)
            {
                (steps.TryGetValue(step, out var list) ? list : steps[step] = []).Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
            }

            for (int run = 0; run <= parse.GetValue(runs); run++)
            {
                var clock = Stopwatch.StartNew();
                var total = Stopwatch.StartNew();
                float[] pcm16 = await ffmpeg.DecodeMonoAsync(input, 16_000, ct);
                Record("decode 16 kHz", clock);
                float[] patches = MusicnnModel.FrontEnd.ComputeWindows(pcm16, MusicnnModel.PatchFrames, maxPatches > 0 ? maxPatches : null, out int patchCount);
                Record("log-mel (MusiCNN, the sampled patches' frames)", clock);
                var analysis = musicnn.AnalyzePatches(patches, patchCount, padded: false);
                Record($"musicnn-msd model ({analysis.Patches} patches)", clock);
                float[] pcm22 = await ffmpeg.DecodeMonoAsync(input, 22_050, ct);
                Record("decode 22.05 kHz", clock);
                float[] mfcc = MfccFeatures.TrackVector(pcm22);
                Record("mfcc features", clock);
                if (searchable)
                {
                    await indexes.SimilarToVectorAsync(MusicnnBackend.BackendId, analysis.Embedding, 10, null, ct);
                    await indexes.SimilarToVectorAsync(MfccBackend.BackendId, mfcc, 10, null, ct);
                    Record("search (both indexes)", clock);
                }

                double sequential = total.Elapsed.TotalMilliseconds;
                clock.Restart();
                await ffmpeg.DecodeMonoAsync(input, [16_000, 22_050], ct);
                Record("decode both rates in one ffmpeg run", clock);
                await ffmpeg.DecodeMonoAsync(input, [16_000, 22_050], ct, parts: Environment.ProcessorCount, durationSeconds: info.Duration.TotalSeconds);
                Record($"decode both rates, {Environment.ProcessorCount} time ranges side by side (the analyser's)", clock);
                if (excerpts is not null)
                {
                    await ffmpeg.DecodeExcerptsAsync(input, [16_000, 22_050], excerpts, ct, info);
                    Record($"decode both rates, {excerpts.Count} excerpts in one ffmpeg run", clock);
                    await ffmpeg.DecodeExcerptsAsync(input, [16_000, 22_050], excerpts, ct, info, parts: Environment.ProcessorCount);
                    Record($"decode both rates, {excerpts.Count} excerpts in {Environment.ProcessorCount} runs side by side (the analyser's)", clock);
                    await ffmpeg.DecodeExcerptsAsync(input, [16_000, 22_050], excerpts, ct, probed: null, parts: Environment.ProcessorCount);
                    Record($"  the same, each input probing the file (no -f {info.Format})", clock);
                }

                var whole = await wholeFileAnalyzer.AnalyzeAsync(input, 10, ct);
                Record("upload analyser, whole file heard (Uploads:Excerpts=0)", clock);
                var heard = await analyzer.AnalyzeAsync(input, 10, ct);
                Record("upload analyser end to end (backends in parallel)", clock);
                if (run == 0)
                {
                    foreach (var result in heard.Results)
                    {
                        float[] full = whole.Results.Single(r => r.Backend == result.Backend).Embedding;
                        Console.WriteLine($"{result.Backend}: cosine of the analyser's vector to the whole file's {F(Cosine(result.Embedding, full), "0.0000")}");
                    }
                }
                if (run > 0)
                {
                    (steps.TryGetValue("sum of the steps above, one at a time", out var list) ? list : steps["sum of the steps above, one at a time"] = []).Add(sequential);
                }
                else
                {
                    steps.Clear(); // the first run warms the models and the indexes
                }
            }

            foreach (var (step, times) in steps)
            {
                times.Sort();
                Console.WriteLine($"{step,-64} p50 {F(times[times.Count / 2]),8} ms   p90 {F(times[(int)(times.Count * 0.9)]),8} ms");
            }

            await host.StopAsync(ct);
            return 0;
        });
        return command;
    }

    /// <summary>Embedding throughput per backend against a decode-only pass over the same files.</summary>
    public static Command Embed()
    {
        var tracks = new Option<int>("--tracks") { Description = "How many catalog tracks to use", DefaultValueFactory = _ => 40 };
        var command = new Command("embed", "Tracks per second per backend (decode + features + model) against a decode-only pass, on the configured catalog") { tracks };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            var sp = host.Services;
            var ffmpeg = sp.GetRequiredService<Ffmpeg>();
            var catalog = sp.GetRequiredService<CatalogQueries>();
            await using var db = await sp.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>().CreateDbContextAsync(ct);
            var paths = (await db.Tracks.OrderBy(t => t.Id).Take(parse.GetValue(tracks)).Select(t => t.AudioPath).ToListAsync(ct))
                .Select(catalog.ResolveDataPath).ToList();
            if (paths.Count == 0)
            {
                await Console.Error.WriteLineAsync("The configured catalog has no tracks: seed it first (blazorrecs seed).");
                return 2;
            }

            var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
            Console.WriteLine($"{paths.Count} tracks, {Environment.ProcessorCount} in parallel");
            foreach (var backend in sp.GetRequiredService<EmbeddingRegistry>().All.Where(b => b.Describe().Status == BlazorRecs.Core.Embeddings.BackendStatus.Available))
            {
                int rate = backend.Describe().SampleRate;
                await backend.EmbedAsync(await ffmpeg.DecodeMonoAsync(paths[0], rate, ct), ct); // warm-up
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(paths, options, async (p, token) => await ffmpeg.DecodeMonoAsync(p, rate, token));
                double decode = paths.Count / clock.Elapsed.TotalSeconds;
                clock.Restart();
                await Parallel.ForEachAsync(paths, options, async (p, token) => await backend.EmbedAsync(await ffmpeg.DecodeMonoAsync(p, rate, token), token));
                double embed = paths.Count / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{backend.Id,-12} {F(embed, "0.00"),7} tracks/s   decode only {F(decode, "0.00"),7} tracks/s   embedding/decode {F(embed / decode, "0.00")}");
            }

            await host.StopAsync(ct);
            return 0;
        });
        return command;
    }

    private static double Cosine(float[] a, float[] b)
        => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    private static async Task<bool> HasVectorsAsync(IServiceProvider sp, CancellationToken ct)
    {
        await using var db = await sp.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>().CreateDbContextAsync(ct);
        return await db.TrackEmbeddings.AnyAsync(e => e.BackendId == MusicnnBackend.BackendId, ct)
               && await db.TrackEmbeddings.AnyAsync(e => e.BackendId == MfccBackend.BackendId, ct);
    }

    // The issue's benchmark input: a 4-minute MP3, made from the shared jazz recording.
    private static async Task<string> FourMinuteRecordingAsync(Ffmpeg ffmpeg, CancellationToken ct)
    {
        string source = Path.GetFullPath(Path.Combine("..", "shared", "audio", "vibe-ace-jazz.mp3"));
        if (!File.Exists(source))
        {
            throw new FileNotFoundException("Give --file: ../shared/audio/vibe-ace-jazz.mp3 is not here.", source);
        }

        string output = Path.Combine(Path.GetTempPath(), "blazorrecs-bench-4min.mp3");
        if (!File.Exists(output))
        {
            await ffmpeg.RunAsync(["-stream_loop", "4", "-i", source, "-t", "240", "-codec:a", "libmp3lame", "-b:a", "192k", "-y", output], ct);
        }

        return output;
    }
}
