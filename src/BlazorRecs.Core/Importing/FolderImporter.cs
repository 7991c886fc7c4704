using System.Globalization;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Media;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Importing;

/// <summary>
/// Imports an operator's music folder: every ffmpeg-readable audio file below it becomes a track, with title, artist,
/// album, genre, track number and date from its tags (ffprobe) and the file name where tags are missing. Files stay
/// where they are. A file ffprobe cannot read is skipped and named in the report; it never stops the import.
/// </summary>
public sealed class FolderImporter(IDbContextFactory<BlazorRecsDbContext> contexts, Ffmpeg ffmpeg, TimeProvider time)
{
    /// <summary>The extensions scanned.</summary>
    public static readonly IReadOnlySet<string> AudioExtensions =
        new HashSet<string>([".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wav", ".wma"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Imports <paramref name="folder"/> recursively. Tracks get ExternalId = the file name without
    /// extension (Music4All names files by track id), which listening logs can refer to.</summary>
    public async Task<ImportReport> ImportAsync(string folder, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Music folder not found: {root}");
        }

        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => AudioExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
        progress.Report(new JobProgress(0, $"found {files.Count} audio files in {root}"));

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var known = (await db.Tracks.Where(t => t.Source == TrackSource.Import).Select(t => t.AudioPath).ToListAsync(cancellationToken)).ToHashSet();
        var artists = new Dictionary<string, Artist>(StringComparer.OrdinalIgnoreCase);
        var albums = new Dictionary<(string, string), Album>();
        var problems = new ProblemLog();
        int added = 0, unchanged = 0, done = 0;
        var now = time.GetUtcNow();

        foreach (string file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            done++;
            if (known.Contains(file))
            {
                unchanged++;
                continue;
            }

            MediaInfo info;
            try
            {
                info = await ffmpeg.ProbeAsync(file, cancellationToken);
            }
            catch (ExternalProcessException ex)
            {
                problems.Add($"{file}: not readable audio ({FirstLine(ex.Message)})");
                continue;
            }

            if (info.Duration <= TimeSpan.Zero)
            {
                problems.Add($"{file}: no duration");
                continue;
            }

            string artistName = info.Tag("artist") ?? info.Tag("album_artist") ?? "Unknown artist";
            string title = info.Tag("title") ?? Path.GetFileNameWithoutExtension(file);
            string? albumTitle = info.Tag("album");
            string? genre = info.Tag("genre")?.ToLowerInvariant();
            var artist = await ArtistAsync(db, artists, artistName, genre, cancellationToken);
            Album? album = albumTitle is null ? null : await AlbumAsync(db, albums, artist, albumTitle, ParseDate(info.Tag("date")), cancellationToken);
            var released = ParseDate(info.Tag("date")) ?? new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            db.Tracks.Add(new Track
            {
                Title = Truncate(title),
                Artist = artist,
                Album = album,
                TrackNumber = ParseTrackNumber(info.Tag("track")),
                Genre = genre,
                DurationMs = (int)Math.Min(int.MaxValue, info.Duration.TotalMilliseconds),
                AudioPath = file,
                Source = TrackSource.Import,
                ExternalId = Path.GetFileNameWithoutExtension(file),
                ReleasedAt = released,
                AddedAt = now,
            });
            added++;
            if (added % 200 == 0)
            {
                await db.SaveChangesAsync(cancellationToken);
            }

            progress.Report(new JobProgress((double)done / files.Count, $"imported {added} of {files.Count} files"));
        }

        await db.SaveChangesAsync(cancellationToken);
        var report = new ImportReport(added, unchanged, problems.Count, problems.Kept);
        progress.Report(new JobProgress(1, report.Summary("tracks")));
        return report;
    }

    private static async Task<Artist> ArtistAsync(BlazorRecsDbContext db, Dictionary<string, Artist> cache, string name, string? genre, CancellationToken ct)
    {
        if (!cache.TryGetValue(name, out var artist))
        {
            artist = await db.Artists.FirstOrDefaultAsync(a => a.Name == name, ct) ?? db.Artists.Add(new Artist { Name = Truncate(name), Genre = genre }).Entity;
            cache[name] = artist;
        }

        return artist;
    }

    private static async Task<Album> AlbumAsync(BlazorRecsDbContext db, Dictionary<(string, string), Album> cache, Artist artist, string title, DateTimeOffset? released, CancellationToken ct)
    {
        var key = (artist.Name, title);
        if (!cache.TryGetValue(key, out var album))
        {
            album = (artist.Id != 0 ? await db.Albums.FirstOrDefaultAsync(a => a.ArtistId == artist.Id && a.Title == title, ct) : null)
                    ?? db.Albums.Add(new Album { Title = Truncate(title), Artist = artist, ReleasedAt = released }).Entity;
            cache[key] = album;
        }

        return album;
    }

    internal static DateTimeOffset? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return date.ToUniversalTime();
        }

        // ID3 often has just the year.
        return text.Length >= 4 && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out int year) && year is > 1800 and < 3000
            ? new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero)
            : null;
    }

    // "3/12" (ID3) or "3".
    internal static int? ParseTrackNumber(string? text) =>
        text is not null && int.TryParse(text.Split('/')[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
