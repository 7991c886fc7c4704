using System.ComponentModel.DataAnnotations;

namespace BlazorRecs.Core.Similarity;

/// <summary>The <c>BlazorRecs:Index</c> section: how the per-backend FAISS indexes are built.</summary>
public sealed record SimilarityOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:Index";

    /// <summary>FAISS index_factory description. <c>Flat</c> (exact) suits the demo; <c>IVF256,Flat</c> or
    /// <c>HNSW32</c> suit catalogs of tens of thousands of tracks and more.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Factory { get; init; } = "Flat";

    /// <summary>Inverted lists visited per query by IVF indexes.</summary>
    [Range(1, 65_536)]
    public int NProbe { get; init; } = 16;

    /// <summary>Candidate list size per query for HNSW indexes.</summary>
    [Range(1, 65_536)]
    public int EfSearch { get; init; } = 64;
}
