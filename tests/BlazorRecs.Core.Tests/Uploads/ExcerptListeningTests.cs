using System.Numerics.Tensors;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Uploads;
using BlazorRecs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Tests.Uploads;

/// <summary>A long upload is heard as evenly spaced excerpts (the patches MusiCNN would sample anyway), and what the
/// backends make of it is what they make of the whole file.</summary>
public sealed class ExcerptListeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(16, 95.0, false)] // not more than twice the 47.9 s that 16 excerpts cover: heard whole
    [InlineData(16, 96.0, true)]
    [InlineData(0, 1200.0, false)] // Excerpts = 0: always whole
    [InlineData(4, 30.0, true)]
    public void Only_files_longer_than_twice_what_the_excerpts_cover_are_heard_as_excerpts(int count, double seconds, bool excerpted)
    {
        var plan = new UploadOptions { Excerpts = count }.ExcerptsFor(seconds);

        Assert.Equal(excerpted, plan is not null);
        if (plan is not null)
        {
            Assert.Equal(count, plan.Count);
            Assert.Equal(0, plan[0].StartSeconds);
            Assert.True(plan[^1].StartSeconds + plan[^1].LengthSeconds <= seconds, "the last excerpt runs past the end");
            Assert.All(plan.Zip(plan.Skip(1)), pair => Assert.True(pair.Second.StartSeconds >= pair.First.StartSeconds + pair.First.LengthSeconds, "excerpts overlap"));
        }
    }

    [Fact]
    public async Task A_long_recording_heard_as_excerpts_gets_the_vectors_and_tags_of_the_whole_file_and_says_so()
    {
        string models = Path.GetDirectoryName(Path.GetDirectoryName(SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx")))!;
        string jazz = SharedFolder.Require("audio/vibe-ace-jazz.mp3");
        await using var host = await TestHost.StartAsync(null, $"--BlazorRecs:ModelsDirectory={models}");
        var ffmpeg = host.Services.GetRequiredService<Ffmpeg>();
        string longFile = Path.Combine(host.DataDirectory, "jazz-2min.mp3");
        await ffmpeg.RunAsync(["-stream_loop", "2", "-i", jazz, "-map", "0:a", "-t", "120", "-b:a", "128k", longFile], Ct);
        var analyzer = host.Services.GetRequiredService<UploadAnalyzer>();
        var wholeFile = ActivatorUtilities.CreateInstance<UploadAnalyzer>(host.Services, Options.Create(analyzer.Limits with { Excerpts = 0 }));

        var heard = await analyzer.AnalyzeAsync(longFile, 5, Ct);
        var whole = await wholeFile.AnalyzeAsync(longFile, 5, Ct);

        foreach (var result in heard.Results)
        {
            var reference = whole.Results.Single(r => r.Backend == result.Backend);
            Assert.Contains("16 evenly spaced excerpts", result.Note, StringComparison.Ordinal);
            Assert.DoesNotContain("excerpts", reference.Note ?? "", StringComparison.Ordinal);
            double cosine = TensorPrimitives.CosineSimilarity(result.Embedding, reference.Embedding);
            // MusiCNN hears the same 16 patches (starts moved by under 20 ms); MFCC statistics come from 48 s instead of 120 s.
            Assert.True(cosine > (result.Backend == MusicnnBackend.BackendId ? 0.99 : 0.97), $"{result.Backend}: cosine to the whole file's vector {cosine:0.0000}");
        }

        // The same leading tags (near-tied ones may swap places).
        var tags = heard.Results.Single(r => r.Backend == MusicnnBackend.BackendId).Tags.Take(3).Select(t => t.Tag).ToList();
        var wholeTags = whole.Results.Single(r => r.Backend == MusicnnBackend.BackendId).Tags.Take(3).Select(t => t.Tag).ToList();
        Assert.True(tags.Intersect(wholeTags).Count() >= 2, $"top tags {string.Join(", ", tags)} against the whole file's {string.Join(", ", wholeTags)}");
        Assert.Contains("jazz", tags);
    }

    [Fact]
    public async Task A_long_file_silent_wherever_the_excerpts_fall_is_heard_whole_instead_of_refused_as_silence()
    {
        await using var host = await TestHost.StartAsync();
        var ffmpeg = host.Services.GetRequiredService<Ffmpeg>();
        string file = Path.Combine(host.DataDirectory, "quiet.mp3");
        // 120 s: the excerpts sit at 0, 8.96, 14.94 s, ...; the only sound is a tone from 4 to 5 s, between the first two.
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "aevalsrc='if(between(t,4,5),0.5*sin(2*PI*440*t),0)':s=44100:d=120", "-b:a", "64k", file], Ct);
        var analyzer = host.Services.GetRequiredService<UploadAnalyzer>();
        Assert.DoesNotContain(analyzer.Limits.ExcerptsFor(120)!, e => e.StartSeconds - 1 < 5.1 && e.StartSeconds + e.LengthSeconds > 3.9);

        var analysis = await analyzer.AnalyzeAsync(file, 5, Ct);

        var mfcc = analysis.Results.Single(r => r.Backend == MfccBackend.BackendId);
        Assert.DoesNotContain("excerpts", mfcc.Note ?? "", StringComparison.Ordinal);
        Assert.Contains(mfcc.Embedding, v => v != 0);
    }

    [Fact]
    public async Task A_recording_under_the_excerpt_threshold_is_heard_whole()
    {
        string models = Path.GetDirectoryName(Path.GetDirectoryName(SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx")))!;
        string jazz = SharedFolder.Require("audio/vibe-ace-jazz.mp3"); // 46 s
        await using var host = await TestHost.StartAsync(null, $"--BlazorRecs:ModelsDirectory={models}");

        var analysis = await host.Services.GetRequiredService<UploadAnalyzer>().AnalyzeAsync(jazz, 5, Ct);

        Assert.All(analysis.Results, r => Assert.DoesNotContain("excerpts", r.Note ?? "", StringComparison.Ordinal));
    }
}
