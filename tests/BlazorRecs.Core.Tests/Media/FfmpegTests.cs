using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using BlazorRecs.Core.Media;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Tests.Media;

public sealed class FfmpegTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("blazorrecs-ffmpeg-").FullName;
    private readonly ExternalProcessRunner _runner = new(2, TimeSpan.FromSeconds(60));
    private readonly Ffmpeg _ffmpeg;

    // Decodes keep their files in a folder of this class's own, so what they leave behind is theirs alone to count.
    public FfmpegTests()
    {
        Directory.CreateDirectory(Scratch);
        _ffmpeg = new Ffmpeg(_runner, Options.Create(new MediaOptions { ScratchDirectory = Scratch }));
    }

    private string Scratch => Path.Combine(_dir, "scratch");

    [Theory]
    [InlineData(440)]
    [InlineData(1000)]
    public async Task A_sine_encoded_to_mp3_decodes_to_16k_mono_with_its_peak_at_the_right_frequency(int frequency)
    {
        string mp3 = Path.Combine(_dir, $"sine{frequency}.mp3");
        // A stereo 44.1 kHz sine from lavfi, so the decode really downmixes and resamples.
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", $"sine=frequency={frequency}:sample_rate=44100:duration=3", "-ac", "2", "-b:a", "128k", mp3],
            TestContext.Current.CancellationToken);

        float[] samples = await _ffmpeg.DecodeMonoAsync(mp3, 16000, TestContext.Current.CancellationToken);

        // 3 s at 16 kHz, give or take the MP3 encoder's padding.
        Assert.InRange(samples.Length, 47_000, 49_500);
        double peakHz = PeakFrequency(samples.AsSpan(8000, 16384), 16000);
        Assert.InRange(peakHz, frequency - 2, frequency + 2);
    }

    [Fact]
    public async Task One_decode_for_several_rates_gives_each_rate_exactly_what_a_decode_at_that_rate_gives()
    {
        var ct = TestContext.Current.CancellationToken;
        string mp3 = Path.Combine(_dir, "chirp.mp3");
        // A stereo chirp with different channels, so the downmix and both resamplers have real work.
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "aevalsrc=sin(2*PI*(200+400*t)*t)|0.5*sin(2*PI*700*t):s=44100:d=4", "-b:a", "128k", mp3], ct);

        var shared = await _ffmpeg.DecodeMonoAsync(mp3, [22050, 16000, 22050], ct, maxSeconds: 3);

        Assert.Equal([16000, 22050], shared.Keys.Order());
        foreach (int rate in new[] { 22050, 16000 })
        {
            float[] alone = await _ffmpeg.DecodeMonoAsync(mp3, rate, ct, maxSeconds: 3);
            Assert.InRange(alone.Length, 3 * rate - rate / 20, 3 * rate);
            Assert.Equal(alone, shared[rate]);
        }
    }

    [Fact]
    public async Task A_decode_cut_into_time_ranges_side_by_side_joins_to_the_whole_decode()
    {
        var ct = TestContext.Current.CancellationToken;
        string mp3 = Path.Combine(_dir, "long-chirp.mp3");
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "aevalsrc=sin(2*PI*(200+20*t)*t)|0.5*sin(2*PI*700*t):s=44100:d=30", "-b:a", "128k", mp3], ct);

        var whole = await _ffmpeg.DecodeMonoAsync(mp3, [16000, 22050], ct);
        var joined = await _ffmpeg.DecodeMonoAsync(mp3, [16000, 22050], ct, parts: 3, durationSeconds: 30);

        // Cuts at 10 s and 20 s, each part decoded with a second of pre-roll, so no join can be heard: the samples
        // are the whole decode's everywhere, to float rounding.
        foreach (int rate in new[] { 16000, 22050 })
        {
            Assert.Equal(whole[rate].Length, joined[rate].Length);
            int worstAt = Enumerable.Range(0, whole[rate].Length).MaxBy(i => Math.Abs(whole[rate][i] - joined[rate][i]));
            double worst = Math.Abs(whole[rate][worstAt] - joined[rate][worstAt]);
            Assert.True(worst < 1e-4, $"{rate} Hz: the decodes differ by {worst} at {worstAt / (double)rate:0.000} s");
        }
    }

    [Fact]
    public async Task Excerpts_decoded_alone_are_the_whole_decodes_samples_at_those_times_joined_end_to_end()
    {
        var ct = TestContext.Current.CancellationToken;
        string mp3 = Path.Combine(_dir, "covered-chirp.mp3");
        // A 40 s stereo chirp with a cover picture in its ID3 tag, as real uploads have: the excerpt inputs name the
        // demuxer and seek by bitrate, and must still land on the same samples as a decode of the whole file.
        string cover = Path.Combine(_dir, "cover.png");
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "mandelbrot=s=320x320", "-frames:v", "1", cover], ct);
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "aevalsrc=sin(2*PI*(200+20*t)*t)|0.5*sin(2*PI*700*t):s=44100:d=40", "-i", cover,
            "-map", "0:a", "-map", "1:v", "-c:v", "copy", "-disposition:v", "attached_pic", "-b:a", "128k", mp3], ct);
        var info = await _ffmpeg.ProbeAsync(mp3, ct);
        Assert.Equal("mp3", info.Format);
        var excerpts = AudioExcerpt.Spread(info.Duration.TotalSeconds, 4, 2.992);
        // 13 whole windows of 2.992 s fit in 40 s; windows 0, 4, 8 and 12 are taken, moved back onto the 20 ms grid.
        Assert.Equal([0, 11.96, 23.92, 35.9], excerpts.Select(e => Math.Round(e.StartSeconds, 6)));

        var whole = await _ffmpeg.DecodeMonoAsync(mp3, [16000, 22050], ct);
        // Three runs side by side for four excerpts: groups of one, one and two, joined in order.
        var heard = await _ffmpeg.DecodeExcerptsAsync(mp3, [16000, 22050], excerpts, ct, info, parts: 3);

        foreach (int rate in new[] { 16000, 22050 })
        {
            int each = (int)Math.Round(2.992 * rate);
            Assert.Equal(4 * each, heard[rate].Length);
            for (int e = 0; e < excerpts.Count; e++)
            {
                int at = (int)Math.Round(excerpts[e].StartSeconds * rate);
                float[] expected = whole[rate][at..(at + each)];
                float[] got = heard[rate][(e * each)..((e + 1) * each)];
                int worstAt = Enumerable.Range(0, each).MaxBy(i => Math.Abs(expected[i] - got[i]));
                double worst = Math.Abs(expected[worstAt] - got[worstAt]);
                Assert.True(worst < 1e-3, $"{rate} Hz, excerpt {e} at {excerpts[e].StartSeconds} s: differs from the whole decode by {worst} at sample {worstAt}");
            }
        }
    }

    [Fact]
    public async Task Excerpts_past_the_end_of_the_file_come_back_short_or_empty_and_a_file_that_is_not_audio_raises_a_clear_error()
    {
        var ct = TestContext.Current.CancellationToken;
        string mp3 = Path.Combine(_dir, "ten.mp3");
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=44100:duration=10", "-b:a", "128k", mp3], ct);

        // A truncated file can claim more than it holds: an excerpt wholly past the end adds nothing.
        var heard = await _ffmpeg.DecodeExcerptsAsync(mp3, [16000], [new AudioExcerpt(2, 1), new AudioExcerpt(9, 3), new AudioExcerpt(20, 2)], ct);

        // One whole second, then what is left after 9 s (about a second, give or take the encoder's padding).
        Assert.InRange(heard[16000].Length, 16000 + 15_000, 16000 + 17_200);
        string bogus = Path.Combine(_dir, "bogus.mp3");
        await File.WriteAllBytesAsync(bogus, Enumerable.Range(0, 5000).Select(i => (byte)(i * 37)).ToArray(), ct);
        await Assert.ThrowsAsync<ExternalProcessException>(() => _ffmpeg.DecodeExcerptsAsync(bogus, [16000], [new AudioExcerpt(0, 1)], ct));
        Assert.Empty(Directory.GetFileSystemEntries(Scratch));
    }

    [Theory]
    [InlineData("flac", "flac", "flac")]
    [InlineData("wav", "wav", "pcm_s16le")]
    [InlineData("adts", "aac", "aac")]
    public async Task A_file_that_is_not_an_mp3_behind_an_id3_tag_is_still_probed_as_what_it_is(string muxer, string format, string codec)
    {
        var ct = TestContext.Current.CancellationToken;
        string plain = Path.Combine(_dir, $"plain.{muxer}");
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-f", muxer, plain], ct);
        string tagged = Path.Combine(_dir, $"tagged.{muxer}");
        // An empty ID3v2.4 tag in front: ffprobe is first asked to read it as an MP3.
        await File.WriteAllBytesAsync(tagged, [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0, .. await File.ReadAllBytesAsync(plain, ct)], ct);

        var info = await _ffmpeg.ProbeAsync(tagged, ct);

        Assert.Equal(format, info.Format);
        Assert.Equal(codec, info.Codec);
        Assert.InRange(info.Duration.TotalSeconds, 4.9, 5.1);
    }

    [Fact]
    public async Task A_decode_asked_for_parts_of_a_short_file_decodes_it_in_one_run()
    {
        var ct = TestContext.Current.CancellationToken;
        string mp3 = Path.Combine(_dir, "short.mp3");
        await _ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=44100:duration=8", "-b:a", "128k", mp3], ct);

        var whole = await _ffmpeg.DecodeMonoAsync(mp3, [16000, 22050], ct);
        var asked = await _ffmpeg.DecodeMonoAsync(mp3, [16000, 22050], ct, parts: 4, durationSeconds: 8);

        // Under ten seconds a part saves less than an ffmpeg start costs, so the result is the single decode exactly.
        Assert.Equal(whole[16000], asked[16000]);
        Assert.Equal(whole[22050], asked[22050]);
    }

    [Fact]
    public async Task A_shared_decode_of_a_file_that_is_not_audio_raises_the_same_clear_error_and_leaves_no_temporary_files()
    {
        string bogus = Path.Combine(_dir, "noise.mp3");
        await File.WriteAllBytesAsync(bogus, Enumerable.Range(0, 5000).Select(i => (byte)(i * 37)).ToArray(), TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() => _ffmpeg.DecodeMonoAsync(bogus, [22050, 16000], TestContext.Current.CancellationToken));

        Assert.NotEqual(0, ex.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task Decoding_a_file_that_is_not_audio_raises_a_clear_error()
    {
        string bogus = Path.Combine(_dir, "random.mp3");
        var rng = new Random(1);
        byte[] bytes = new byte[10_000];
        rng.NextBytes(bytes);
        await File.WriteAllBytesAsync(bogus, bytes, TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() => _ffmpeg.DecodeMonoAsync(bogus, 16000, TestContext.Current.CancellationToken));
        Assert.NotEqual(0, ex.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(ex.StandardError));
    }

    [Fact]
    public async Task A_missing_executable_is_reported_by_name()
    {
        var broken = new Ffmpeg(_runner, Options.Create(new MediaOptions { FfmpegPath = "/nonexistent/ffmpeg" }));
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() => broken.GetFfmpegVersionAsync(TestContext.Current.CancellationToken));
        Assert.Contains("/nonexistent/ffmpeg", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_past_its_timeout_is_killed()
    {
        using var quick = new ExternalProcessRunner(1, TimeSpan.FromMilliseconds(300));
        var ffmpeg = new Ffmpeg(quick, Options.Create(new MediaOptions()));
        string output = Path.Combine(_dir, "never.wav");
        // An endless source ("-re" paces it in real time) would run forever without the timeout.
        var ex = await Assert.ThrowsAsync<ExternalProcessException>(() =>
            ffmpeg.RunAsync(["-re", "-f", "lavfi", "-i", "sine=frequency=100", output], TestContext.Current.CancellationToken));
        Assert.Contains("was killed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Versions_are_read_from_the_tools()
    {
        Assert.Matches(@"^\d+\.\d+", await _ffmpeg.GetFfmpegVersionAsync(TestContext.Current.CancellationToken));
        Assert.Matches(@"^\d+\.\d+", await _ffmpeg.GetFfprobeVersionAsync(TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        _runner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static double PeakFrequency(ReadOnlySpan<float> frame, int sampleRate)
    {
        int n = frame.Length;
        var spectrum = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            double hann = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n);
            spectrum[i] = frame[i] * hann;
        }

        Fourier.Forward(spectrum, FourierOptions.Matlab);
        int best = 1;
        for (int k = 1; k < n / 2; k++)
        {
            if (spectrum[k].Magnitude > spectrum[best].Magnitude)
            {
                best = k;
            }
        }

        // Parabolic interpolation of the log magnitudes around the peak bin.
        double a = Math.Log(spectrum[best - 1].Magnitude), b = Math.Log(spectrum[best].Magnitude), c = Math.Log(spectrum[best + 1].Magnitude);
        double offset = 0.5 * (a - c) / (a - 2 * b + c);
        return (best + offset) * sampleRate / n;
    }
}
