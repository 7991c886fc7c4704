using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Importing;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Importing;

public sealed class FolderImporterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_folder_imports_tagged_audio_recursively_and_skips_files_that_are_not_audio()
    {
        await using var host = await TestHost.StartAsync();
        var ffmpeg = host.Services.GetRequiredService<Ffmpeg>();
        string music = Path.Combine(host.DataDirectory, "music");
        Directory.CreateDirectory(Path.Combine(music, "Artist A", "Album X"));
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=300:duration=3", "-metadata", "title=Tagged Song", "-metadata", "artist=Artist A",
            "-metadata", "album=Album X", "-metadata", "genre=Jazz", "-metadata", "track=2/9", "-metadata", "date=2011",
            Path.Combine(music, "Artist A", "Album X", "0009fFIM1eYThaPg.mp3")], Ct);
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=500:duration=2", Path.Combine(music, "untagged.flac")], Ct);
        await File.WriteAllBytesAsync(Path.Combine(music, "random.mp3"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray(), Ct);
        await File.WriteAllBytesAsync(Path.Combine(music, "picture.mp3"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], Ct);
        await File.WriteAllTextAsync(Path.Combine(music, "notes.txt"), "not scanned", Ct);
        var importer = host.Services.GetRequiredService<FolderImporter>();

        var report = await importer.ImportAsync(music, new Progress<JobProgress>(), Ct);

        Assert.Equal(2, report.Added);
        Assert.Equal(2, report.Skipped);
        Assert.Contains(report.Problems, p => p.Contains("random.mp3", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("picture.mp3", StringComparison.Ordinal));
        await using var db = await host.DbAsync();
        var tagged = await db.Tracks.Include(t => t.Artist).Include(t => t.Album).SingleAsync(t => t.Title == "Tagged Song", Ct);
        Assert.Equal("Artist A", tagged.Artist!.Name);
        Assert.Equal("Album X", tagged.Album!.Title);
        Assert.Equal("jazz", tagged.Genre);
        Assert.Equal(2, tagged.TrackNumber);
        Assert.Equal(2011, tagged.ReleasedAt.Year);
        Assert.Equal("0009fFIM1eYThaPg", tagged.ExternalId);
        Assert.InRange(tagged.DurationMs, 2900, 3200);
        Assert.Equal(TrackSource.Import, tagged.Source);
        var untagged = await db.Tracks.SingleAsync(t => t.ExternalId == "untagged", Ct);
        Assert.Equal("untagged", untagged.Title);

        // A second scan finds nothing new.
        var again = await importer.ImportAsync(music, new Progress<JobProgress>(), Ct);
        Assert.Equal(0, again.Added);
        Assert.Equal(2, again.Unchanged);
    }

    [Fact]
    public async Task A_missing_folder_is_a_clear_error()
    {
        await using var host = await TestHost.StartAsync();
        var importer = host.Services.GetRequiredService<FolderImporter>();
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => importer.ImportAsync("/nonexistent/music", new Progress<JobProgress>(), Ct));
    }
}
