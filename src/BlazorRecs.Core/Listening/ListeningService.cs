using System.Text.Json.Serialization;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Listening;

/// <summary>A listener as lists show it.</summary>
public sealed record ListenerSummary(int Id, string Name, ListenerKind Kind, int Plays, DateTimeOffset? LastPlayedAt);

/// <summary>One entry of a listening history.</summary>
public sealed record PlayItem(
    long Id, int ListenerId, int TrackId, string Title, string Artist, string? Album, string? Genre,
    DateTimeOffset StartedAt, int MsPlayed, int DurationMs, bool IsSkip, PlaySource Source);

/// <summary>A play reported by a player.</summary>
public sealed record PlayReport(int ListenerId, int TrackId, int MsPlayed, DateTimeOffset? StartedAt = null, PlaySource Source = PlaySource.Player);

/// <summary>Why a play report was refused.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PlayRejection>))]
public enum PlayRejection
{
    /// <summary>No such track.</summary>
    UnknownTrack,

    /// <summary>No such listener.</summary>
    UnknownListener,

    /// <summary>The numbers do not add up (negative, longer than the track, in the future, before the track's release).</summary>
    Invalid,
}

/// <summary>The outcome of recording a play: the stored play, or why it was refused.</summary>
public sealed record PlayResult(PlayItem? Play, PlayRejection? Rejection, string? Reason)
{
    internal static PlayResult Rejected(PlayRejection rejection, string reason) => new(null, rejection, reason);
}

/// <summary>Listeners, their histories, and recording new plays (validated on the server, whatever the client says).</summary>
public sealed class ListeningService(IDbContextFactory<BlazorRecsDbContext> contexts, TimeProvider time)
{
    /// <summary>Raised after a play is stored, for live history pages. Handlers must be quick and must not throw.</summary>
    public event Action<PlayItem>? PlayRecorded;

    /// <summary>Listeners, personas first by name; <paramref name="search"/> filters by name.</summary>
    public async Task<Page<ListenerSummary>> ListAsync(string? search = null, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var listeners = db.Listeners.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            listeners = listeners.Where(l => EF.Functions.Like(l.Name, $"%{search.Trim()}%"));
        }

        int total = await listeners.CountAsync(cancellationToken);
        int size = Math.Clamp(pageSize, 1, 500);
        var items = await listeners.OrderBy(l => l.Kind).ThenBy(l => l.Name).ThenBy(l => l.Id)
            .Skip((Math.Max(1, page) - 1) * size).Take(size)
            .Select(l => new ListenerSummary(l.Id, l.Name, l.Kind, l.Plays.Count(p => !p.IsSkip),
                l.Plays.OrderByDescending(p => p.StartedAt).Select(p => (DateTimeOffset?)p.StartedAt).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return new Page<ListenerSummary>(total, items);
    }

    /// <summary>One listener, or null.</summary>
    public async Task<ListenerSummary?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Listeners.AsNoTracking().Where(l => l.Id == id)
            .Select(l => new ListenerSummary(l.Id, l.Name, l.Kind, l.Plays.Count(p => !p.IsSkip),
                l.Plays.OrderByDescending(p => p.StartedAt).Select(p => (DateTimeOffset?)p.StartedAt).FirstOrDefault()))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Creates a new listener with an empty history (a visitor starting fresh).</summary>
    public async Task<ListenerSummary> CreateVisitorAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var listener = new Listener { Name = "New listener", Kind = ListenerKind.Visitor, CreatedAt = time.GetUtcNow() };
        db.Listeners.Add(listener);
        await db.SaveChangesAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(name))
        {
            listener.Name = $"Visitor {listener.Id}";
        }
        else
        {
            listener.Name = name.Trim()[..Math.Min(name.Trim().Length, 100)];
        }

        await db.SaveChangesAsync(cancellationToken);
        return new ListenerSummary(listener.Id, listener.Name, listener.Kind, 0, null);
    }

    /// <summary>A listener's plays, newest first; null when the listener does not exist.</summary>
    public async Task<Page<PlayItem>?> PlaysAsync(int listenerId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Listeners.AnyAsync(l => l.Id == listenerId, cancellationToken))
        {
            return null;
        }

        var plays = db.Plays.AsNoTracking().Where(p => p.ListenerId == listenerId);
        int total = await plays.CountAsync(cancellationToken);
        int size = Math.Clamp(pageSize, 1, 500);
        var items = await Project(plays.OrderByDescending(p => p.StartedAt).ThenByDescending(p => p.Id)
                .Skip((Math.Max(1, page) - 1) * size).Take(size))
            .ToListAsync(cancellationToken);
        return new Page<PlayItem>(total, items);
    }

    /// <summary>Validates and stores a play. A listen shorter than the counting threshold is stored as a skip.</summary>
    public async Task<PlayResult> RecordAsync(PlayReport report, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var track = await db.Tracks.AsNoTracking().Where(t => t.Id == report.TrackId)
            .Select(t => new { t.Id, t.DurationMs, t.ReleasedAt }).FirstOrDefaultAsync(cancellationToken);
        if (track is null)
        {
            return PlayResult.Rejected(PlayRejection.UnknownTrack, $"There is no track {report.TrackId}.");
        }

        if (!await db.Listeners.AnyAsync(l => l.Id == report.ListenerId, cancellationToken))
        {
            return PlayResult.Rejected(PlayRejection.UnknownListener, $"There is no listener {report.ListenerId}.");
        }

        if (report.MsPlayed < 0 || report.MsPlayed > track.DurationMs + PlayRules.ReportToleranceMs)
        {
            return PlayResult.Rejected(PlayRejection.Invalid,
                $"msPlayed must be between 0 and the track's duration ({track.DurationMs} ms); got {report.MsPlayed}.");
        }

        var now = time.GetUtcNow();
        var startedAt = report.StartedAt ?? now - TimeSpan.FromMilliseconds(report.MsPlayed);
        if (startedAt > now + TimeSpan.FromMinutes(1))
        {
            return PlayResult.Rejected(PlayRejection.Invalid, "startedAt lies in the future.");
        }

        // Nobody heard a track before it came out (a date typed by hand, a clock years off): such a play would sit in
        // the training months of every temporal split and teach the models a history that never was. A day of slack:
        // an upload is released at the server's "now", and a browser's clock may run behind it.
        if (startedAt < track.ReleasedAt - TimeSpan.FromDays(1))
        {
            return PlayResult.Rejected(PlayRejection.Invalid,
                $"startedAt {startedAt:u} lies before the track was released ({track.ReleasedAt:u}).");
        }

        int msPlayed = Math.Min(report.MsPlayed, track.DurationMs);
        var play = new Play
        {
            ListenerId = report.ListenerId,
            TrackId = report.TrackId,
            StartedAt = startedAt,
            MsPlayed = msPlayed,
            Source = report.Source,
            IsSkip = PlayRules.IsSkip(msPlayed, track.DurationMs),
        };
        db.Plays.Add(play);
        await db.SaveChangesAsync(cancellationToken);
        var item = await Project(db.Plays.AsNoTracking().Where(p => p.Id == play.Id)).FirstAsync(cancellationToken);
        PlayRecorded?.Invoke(item);
        return new PlayResult(item, null, null);
    }

    private static IQueryable<PlayItem> Project(IQueryable<Play> plays) =>
        plays.Select(p => new PlayItem(p.Id, p.ListenerId, p.TrackId, p.Track!.Title, p.Track.Artist!.Name,
            p.Track.Album != null ? p.Track.Album.Title : null, p.Track.Genre, p.StartedAt, p.MsPlayed, p.Track.DurationMs, p.IsSkip, p.Source));
}
