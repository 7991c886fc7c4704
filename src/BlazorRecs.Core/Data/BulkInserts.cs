using BlazorRecs.Core.Listening;
using Microsoft.Data.Sqlite;

namespace BlazorRecs.Core.Data;

/// <summary>
/// Prepared statements for bulk writes (simulated histories, imported logs): EF change tracking would take minutes
/// for 150k plays. Enum columns are written as the names EF stores.
/// </summary>
internal static class BulkInserts
{
    /// <summary>INSERT INTO Plays with parameters $l (listener), $t (track), $s (UTC ticks), $m (ms played), $k (skip 0/1).</summary>
    public static SqliteCommand Plays(SqliteConnection connection, SqliteTransaction transaction, PlaySource source)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO Plays (ListenerId, TrackId, StartedAt, MsPlayed, Source, IsSkip) VALUES ($l, $t, $s, $m, '{source}', $k)";
        command.Parameters.Add("$l", SqliteType.Integer);
        command.Parameters.Add("$t", SqliteType.Integer);
        command.Parameters.Add("$s", SqliteType.Integer);
        command.Parameters.Add("$m", SqliteType.Integer);
        command.Parameters.Add("$k", SqliteType.Integer);
        command.Prepare();
        return command;
    }

    /// <summary>Sets the parameters of a <see cref="Plays"/> command and runs it.</summary>
    public static Task AddPlayAsync(SqliteCommand command, long listenerId, int trackId, DateTimeOffset startedAt, int msPlayed, bool isSkip, CancellationToken ct)
    {
        command.Parameters["$l"].Value = listenerId;
        command.Parameters["$t"].Value = trackId;
        command.Parameters["$s"].Value = startedAt.UtcTicks;
        command.Parameters["$m"].Value = msPlayed;
        command.Parameters["$k"].Value = isSkip ? 1 : 0;
        return command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>INSERT INTO Listeners ... RETURNING Id, with parameters $name, $ext, $created (UTC ticks), $taste (JSON or null).</summary>
    public static SqliteCommand Listeners(SqliteConnection connection, SqliteTransaction transaction, ListenerKind kind)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO Listeners (Name, Kind, ExternalId, CreatedAt, HiddenTasteJson) VALUES ($name, '{kind}', $ext, $created, $taste) RETURNING Id";
        command.Parameters.Add("$name", SqliteType.Text);
        command.Parameters.Add("$ext", SqliteType.Text);
        command.Parameters.Add("$created", SqliteType.Integer);
        command.Parameters.Add("$taste", SqliteType.Text);
        return command;
    }

    /// <summary>Sets the parameters of a <see cref="Listeners"/> command, runs it, and returns the new id.</summary>
    public static async Task<long> AddListenerAsync(SqliteCommand command, string name, string externalId, DateTimeOffset createdAt, string? tasteJson, CancellationToken ct)
    {
        command.Parameters["$name"].Value = name;
        command.Parameters["$ext"].Value = externalId;
        command.Parameters["$created"].Value = createdAt.UtcTicks;
        command.Parameters["$taste"].Value = (object?)tasteJson ?? DBNull.Value;
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
