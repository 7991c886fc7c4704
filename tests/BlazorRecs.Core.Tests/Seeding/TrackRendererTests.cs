using System.Diagnostics;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Seeding;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Tests.Seeding;

public sealed class TrackRendererTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("blazorrecs-seed-").FullName;
    private readonly ExternalProcessRunner _runner = new(2, TimeSpan.FromSeconds(60));
    private readonly Ffmpeg _ffmpeg;
    private readonly CatalogComposer _composer = new();
    private readonly TrackRenderer _renderer;

    public TrackRendererTests()
    {
        _ffmpeg = new Ffmpeg(_runner, Options.Create(new MediaOptions()));
        _renderer = new TrackRenderer(_ffmpeg, _composer, new SeedOptions());
    }

    [Fact]
    public async Task The_same_seed_renders_byte_identical_mp3s()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string[] first = await RenderAllAsync(new CatalogComposer().Plan(CatalogPlanTests.Spec(21, 3, seconds: 6)), "a", ct);
        string[] second = await RenderAllAsync(new CatalogComposer().Plan(CatalogPlanTests.Spec(21, 3, seconds: 6)), "b", ct);

        Assert.Equal(first, second);
        Assert.Equal(3, first.Distinct().Count());
    }

    [Fact]
    public async Task A_track_renders_to_the_same_bytes_alone_as_inside_an_album_batch_in_any_order()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        CatalogPlan plan = _composer.Plan(CatalogPlanTests.Spec(5, 12, seconds: 4));
        TrackPlan[] tracks = [.. plan.Tracks.Take(3)];

        var batch = await _renderer.RenderAsync(plan, [.. tracks.Reverse().Select(t => new RenderRequest(t, Path.Combine(_dir, "batch", $"{t.Index}.mp3")))], ct);
        Assert.Equal(tracks.Reverse().Select(t => t.Index), batch.Select(r => r.TrackIndex));
        foreach (TrackPlan track in tracks)
        {
            RenderedTrack alone = await _renderer.RenderAsync(plan, track, Path.Combine(_dir, "alone", $"{track.Index}.mp3"), ct);
            RenderedTrack inBatch = batch.Single(r => r.TrackIndex == track.Index);
            Assert.Equal(alone.Sha256, inBatch.Sha256);
            Assert.Equal(alone.Descriptors, inBatch.Descriptors);
        }

        Assert.Equal(3, batch.Select(r => r.Sha256).Distinct().Count());
    }

    [Fact]
    public async Task A_missing_soundfont_is_a_clear_error_and_leaves_no_file()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var renderer = new TrackRenderer(_ffmpeg, _composer, new SeedOptions { SoundFontPath = Path.Combine(_dir, "missing.sf2") });
        CatalogPlan plan = _composer.Plan(CatalogPlanTests.Spec(5, 12, seconds: 2));
        string output = Path.Combine(_dir, "never.mp3");

        var error = await Assert.ThrowsAsync<BlazorRecs.Core.Seeding.Synthesis.SynthesisException>(
            () => renderer.RenderAsync(plan, plan.Tracks[0], output, ct));

        Assert.Contains("missing.sf2", error.Message);
        Assert.Contains("SoundFontPath", error.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_rendered_track_decodes_to_its_planned_length_and_is_not_silence()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        CatalogPlan plan = _composer.Plan(CatalogPlanTests.Spec(42, 60));
        TrackPlan track = plan.Tracks.First(t => t.Genre == "rock");

        var clock = Stopwatch.StartNew();
        RenderedTrack rendered = await _renderer.RenderAsync(plan, track, Path.Combine(_dir, "rock.mp3"), ct);
        clock.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"Rendering one {plan.Spec.TrackSeconds} s track took {clock.ElapsedMilliseconds} ms wall time.");

        float[] samples = await _ffmpeg.DecodeMonoAsync(rendered.Mp3Path, 16000, ct);
        Assert.InRange(samples.Length / 16000.0, 29.5, 30.5);
        Assert.Equal(30_000, rendered.DurationMs);
        double rms = Math.Sqrt(samples.Average(s => (double)s * s));
        Assert.True(rms > 0.02, $"RMS {rms}");
        Assert.Matches("^[0-9a-f]{64}$", rendered.Sha256);
        Assert.InRange(rendered.Descriptors.Energy, 0.01, 1);
        Assert.InRange(rendered.Descriptors.Brightness, 0.01, 1);
    }

    [Fact]
    public async Task Metal_sounds_louder_brighter_and_faster_than_ambient()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        CatalogPlan plan = _composer.Plan(CatalogPlanTests.Spec(42, 60, seconds: 8));
        TrackPlan metal = plan.Tracks.First(t => t.Genre == "metal");
        TrackPlan ambient = plan.Tracks.First(t => t.Genre == "ambient");

        RenderedTrack[] both = await Task.WhenAll(
            _renderer.RenderAsync(plan, metal, Path.Combine(_dir, "metal.mp3"), ct),
            _renderer.RenderAsync(plan, ambient, Path.Combine(_dir, "ambient.mp3"), ct));
        TrackDescriptors m = both[0].Descriptors, a = both[1].Descriptors;
        TestContext.Current.TestOutputHelper?.WriteLine($"metal {m}\nambient {a}");

        Assert.True(m.TempoBpm > a.TempoBpm + 40);
        Assert.True(m.Energy > a.Energy + 0.1, $"energy metal {m.Energy} ambient {a.Energy}");
        Assert.True(m.Brightness > a.Brightness + 0.05, $"brightness metal {m.Brightness} ambient {a.Brightness}");
    }

    public void Dispose()
    {
        _runner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string[]> RenderAllAsync(CatalogPlan plan, string folder, CancellationToken ct)
    {
        var hashes = new List<string>();
        foreach (TrackPlan track in plan.Tracks)
        {
            RenderedTrack rendered = await _renderer.RenderAsync(plan, track, Path.Combine(_dir, folder, $"{track.Index}.mp3"), ct);
            Assert.Equal(rendered.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(rendered.Mp3Path, ct))));
            hashes.Add(rendered.Sha256);
        }

        return [.. hashes];
    }
}
