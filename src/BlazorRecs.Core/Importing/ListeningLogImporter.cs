using System.Globalization;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Importing;

/// <summary>
/// Imports a listening log: tab-separated <c>user_id, track_id, timestamp[, ms_played]</c>, the shape of
/// Music4All-Onion's <c>userid_trackid_timestamp.tsv</c>. The track column is matched to a track's ExternalId (the
/// file name of an imported folder, or an id given at import) or, when it looks like a path, to the end of a track's
/// file path. Users become imported listeners. A bad row is skipped, counted and named (file and line); it never
/// aborts the import. Rows go in through a prepared statement in batched transactions, so 100k rows take seconds.
/// </summary>
public sealed class ListeningLogImporter(IDbContextFactory<BlazorRecsDbContext> contexts, TimeProvider time)
{
    private const int BatchRows = 10_000;

    /// <summary>Imports <paramref name="path"/>.</summary>
    public async Task<ImportReport> ImportAsync(string path, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        string file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Listening log not found: {file}", file);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tracks = await db.Tracks.AsNoTracking().Select(t => new { t.Id, t.ExternalId, t.AudioPath, t.DurationMs }).ToListAsync(cancellationToken);
        var byExternal = new Dictionary<string, (int Id, int Duration)>(StringComparer.Ordinal);
        foreach (var t in tracks.Where(t => t.ExternalId is not null))
        {
            byExternal.TryAdd(t.ExternalId!, (t.Id, t.DurationMs));
        }

        var byPath = tracks.Select(t => (Path: t.AudioPath.Replace('\\', '/'), t.Id, t.DurationMs)).ToList();
        var listeners = (await db.Listeners.Where(l => l.Kind == ListenerKind.Imported && l.ExternalId != null)
            .Select(l => new { l.Id, l.ExternalId }).ToListAsync(cancellationToken)).ToDictionary(l => l.ExternalId!, l => (long)l.Id, StringComparer.Ordinal);

        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var problems = new ProblemLog();
        long totalBytes = Math.Max(1, new FileInfo(file).Length);
        int added = 0, lineNumber = 0, inBatch = 0;
        var now = time.GetUtcNow();

        SqliteTransaction transaction = connection.BeginTransaction();
        var (insertPlay, insertListener) = Commands(connection, transaction);
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line) || (lineNumber == 1 && LooksLikeHeader(line)))
                {
                    continue;
                }

                if (!TryParse(line, out var row, out string? error))
                {
                    problems.Add($"{file}:{lineNumber}: {error}");
                    continue;
                }

                (int Id, int Duration)? track = byExternal.TryGetValue(row.Track, out var t) ? t : MatchPath(byPath, row.Track);
                if (track is not { } found)
                {
                    problems.Add($"{file}:{lineNumber}: unknown track '{row.Track}'");
                    continue;
                }

                if (!listeners.TryGetValue(row.User, out long listenerId))
                {
                    listenerId = await BulkInserts.AddListenerAsync(insertListener, $"User {row.User}", row.User, now, null, cancellationToken);
                    listeners[row.User] = listenerId;
                }

                int ms = Math.Clamp(row.MsPlayed ?? found.Duration, 0, found.Duration);
                await BulkInserts.AddPlayAsync(insertPlay, listenerId, found.Id, row.Timestamp, ms, PlayRules.IsSkip(ms, found.Duration), cancellationToken);
                added++;
                if (++inBatch >= BatchRows)
                {
                    await transaction.CommitAsync(cancellationToken);
                    insertPlay.Dispose();
                    insertListener.Dispose();
                    await transaction.DisposeAsync();
                    transaction = connection.BeginTransaction();
                    (insertPlay, insertListener) = Commands(connection, transaction);
                    inBatch = 0;
                    progress.Report(new JobProgress((double)stream.Position / totalBytes, $"imported {added:N0} plays ({problems.Count:N0} rows skipped)"));
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            insertPlay.Dispose();
            insertListener.Dispose();
            await transaction.DisposeAsync();
        }

        var report = new ImportReport(added, 0, problems.Count, problems.Kept);
        progress.Report(new JobProgress(1, report.Summary("plays")));
        return report;
    }

    internal readonly record struct LogRow(string User, string Track, DateTimeOffset Timestamp, int? MsPlayed);

    internal static bool TryParse(string line, out LogRow row, out string? error)
    {
        row = default;
        string[] cells = line.Split('\t');
        if (cells.Length < 3)
        {
            error = $"expected at least 3 tab-separated columns (user_id, track_id, timestamp), found {cells.Length}";
            return false;
        }

        string user = cells[0].Trim(), track = cells[1].Trim();
        if (user.Length == 0 || track.Length == 0)
        {
            error = "empty user or track id";
            return false;
        }

        if (!TryParseTimestamp(cells[2].Trim(), out var timestamp))
        {
            error = $"unreadable timestamp '{cells[2].Trim()}'";
            return false;
        }

        int? ms = null;
        if (cells.Length > 3 && cells[3].Trim().Length > 0)
        {
            if (!int.TryParse(cells[3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed))
            {
                error = $"ms_played '{cells[3].Trim()}' is not a non-negative whole number";
                return false;
            }

            ms = parsed;
        }

        row = new LogRow(user, track, timestamp, ms);
        error = null;
        return true;
    }

    // ISO 8601 / "yyyy-MM-dd HH:mm:ss" (Onion) in UTC, or Unix seconds.
    internal static bool TryParseTimestamp(string text, out DateTimeOffset timestamp)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long unix) && unix is > 0 and < 100_000_000_000)
        {
            timestamp = DateTimeOffset.FromUnixTimeSeconds(unix);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);
    }

    private static bool LooksLikeHeader(string line) =>
        line.Contains("user", StringComparison.OrdinalIgnoreCase) && line.Contains("track", StringComparison.OrdinalIgnoreCase);

    private static (int Id, int Duration)? MatchPath(List<(string Path, int Id, int DurationMs)> tracks, string reference)
    {
        if (!reference.Contains('/', StringComparison.Ordinal) && !reference.Contains('\\', StringComparison.Ordinal) && !Path.HasExtension(reference))
        {
            return null;
        }

        string suffix = "/" + reference.Replace('\\', '/').TrimStart('/');
        foreach (var t in tracks)
        {
            if (t.Path.EndsWith(suffix, StringComparison.Ordinal) || t.Path == suffix[1..])
            {
                return (t.Id, t.DurationMs);
            }
        }

        return null;
    }

    private static (SqliteCommand Play, SqliteCommand Listener) Commands(SqliteConnection connection, SqliteTransaction transaction) =>
        (BulkInserts.Plays(connection, transaction, PlaySource.Import), BulkInserts.Listeners(connection, transaction, ListenerKind.Imported));
}
