using System.Runtime.InteropServices;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings.Backends;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Core.Embeddings;

/// <summary>Track vectors in SQLite: little-endian float32 blobs keyed by (track, backend), with the backend version
/// they were computed with.</summary>
public sealed class EmbeddingStore(IDbContextFactory<BlazorRecsDbContext> contexts, TimeProvider time)
{
    /// <summary>Records (or updates) a backend's description.</summary>
    public async Task UpsertBackendAsync(BackendInfo info, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.EmbeddingBackends.FindAsync([info.Id], cancellationToken);
        if (row is null)
        {
            row = new EmbeddingBackend { Id = info.Id, Kind = info.Kind, Version = info.Version };
            db.EmbeddingBackends.Add(row);
        }

        row.Kind = info.Kind;
        row.Dimension = info.Dimension;
        row.Version = info.Version;
        row.Status = info.Status;
        row.Detail = info.Detail;
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Ids of the tracks that have no vector of <paramref name="version"/> from <paramref name="backendId"/>.</summary>
    public async Task<IReadOnlyList<(int Id, string AudioPath)>> StaleTracksAsync(string backendId, string version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Tracks.AsNoTracking()
            .Where(t => !db.TrackEmbeddings.Any(e => e.TrackId == t.Id && e.BackendId == backendId && e.Version == version))
            .OrderBy(t => t.Id).Select(t => new { t.Id, t.AudioPath }).ToListAsync(cancellationToken);
        return rows.Select(r => (r.Id, r.AudioPath)).ToList();
    }

    /// <summary>Stores a track's vector (replacing a stale one).</summary>
    public async Task SaveAsync(int trackId, string backendId, string version, AudioEmbedding embedding, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.TrackEmbeddings.FindAsync([trackId, backendId], cancellationToken);
        if (row is null)
        {
            row = new TrackEmbedding { TrackId = trackId, BackendId = backendId, Version = version, Vector = [] };
            db.TrackEmbeddings.Add(row);
        }

        row.Version = version;
        row.Vector = ToBytes(embedding.Vector);
        row.Tags = embedding.Tags is null ? null : ToBytes(embedding.Tags);
        row.ComputedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A track's vector from a backend, or null.</summary>
    public async Task<float[]?> VectorAsync(int trackId, string backendId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        byte[]? bytes = await db.TrackEmbeddings.Where(e => e.TrackId == trackId && e.BackendId == backendId)
            .Select(e => e.Vector).FirstOrDefaultAsync(cancellationToken);
        return bytes is null ? null : ToFloats(bytes);
    }

    /// <summary>A track's tag probabilities from a backend with a tag head, or null.</summary>
    public async Task<float[]?> TagsAsync(int trackId, string backendId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        byte[]? bytes = await db.TrackEmbeddings.Where(e => e.TrackId == trackId && e.BackendId == backendId)
            .Select(e => e.Tags).FirstOrDefaultAsync(cancellationToken);
        return bytes is null ? null : ToFloats(bytes);
    }

    /// <summary>float32 values as little-endian bytes.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values) =>
        BitConverter.IsLittleEndian ? MemoryMarshal.AsBytes(values).ToArray() : throw new PlatformNotSupportedException("big-endian hosts");

    /// <summary>Little-endian bytes as float32 values.</summary>
    public static float[] ToFloats(ReadOnlySpan<byte> bytes) =>
        BitConverter.IsLittleEndian ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : throw new PlatformNotSupportedException("big-endian hosts");
}
