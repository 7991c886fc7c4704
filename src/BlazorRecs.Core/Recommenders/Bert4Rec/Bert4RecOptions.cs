using System.ComponentModel.DataAnnotations;

namespace BlazorRecs.Core.Recommenders.Bert4Rec;

/// <summary>
/// BERT4Rec's settings. Defaults are the paper's (Tamm and Aljanaki 2024), except the maximum length, 200 rather than
/// 300, which the catalog's listeners rarely exceed.
/// </summary>
public sealed record Bert4RecOptions
{
    /// <summary>Hidden size of the transformer (audio vectors are projected to it).</summary>
    [Range(8, 1024)] public int Hidden { get; init; } = 64;

    /// <summary>Transformer layers.</summary>
    [Range(1, 12)] public int Layers { get; init; } = 2;

    /// <summary>Attention heads (must divide <see cref="Hidden"/>).</summary>
    [Range(1, 16)] public int Heads { get; init; } = 2;

    /// <summary>Width of each feed-forward layer.</summary>
    [Range(8, 8192)] public int FeedForward { get; init; } = 256;

    /// <summary>Dropout everywhere (embeddings, attention, feed-forward).</summary>
    [Range(0.0, 0.9)] public double Dropout { get; init; } = 0.1;

    /// <summary>Share of positions replaced by [MASK] in training.</summary>
    [Range(0.01, 0.9)] public double MaskProbability { get; init; } = 0.2;

    /// <summary>
    /// Share of training sequences whose last position is masked as well. Inference always asks for the item after
    /// the history, with [MASK] in the last position; training on that case too removes a train/inference mismatch.
    /// </summary>
    [Range(0.0, 1.0)] public double FinalMaskProbability { get; init; } = 0.5;

    /// <summary>Longest sequence the model reads: at inference the most recent items; in training a random window of a
    /// longer history, so its older parts teach too.</summary>
    [Range(2, 2048)] public int MaxLength { get; init; } = 200;

    /// <summary>Sequences per training batch.</summary>
    [Range(1, 4096)] public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate.</summary>
    [Range(1e-6, 1.0)] public double LearningRate { get; init; } = 1e-3;

    /// <summary>Most epochs to train.</summary>
    [Range(1, 10_000)] public int MaxEpochs { get; init; } = 200;

    /// <summary>Stop after this many validations without improvement.</summary>
    [Range(1, 1000)] public int Patience { get; init; } = 10;

    /// <summary>ReduceLROnPlateau: validations without improvement before the learning rate is cut.</summary>
    [Range(0, 1000)] public int PlateauPatience { get; init; } = 3;

    /// <summary>ReduceLROnPlateau: the factor the learning rate is cut by.</summary>
    [Range(0.01, 0.99)] public double PlateauFactor { get; init; } = 0.5;

    /// <summary>Validation metric for early stopping and the learning-rate schedule (for example NDCG@10).</summary>
    [Required, RegularExpression(@"^(HR|Recall|NDCG)@[1-9][0-9]*$", ErrorMessage = "must be HR@K, Recall@K or NDCG@K, for example NDCG@10 (case matters)")]
    public string ValidationMetric { get; init; } = "NDCG@10";

    /// <summary>Stop training after this long, keeping the best checkpoint so far; null for no limit.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Seed for initialisation, masking, dropout and batch order.</summary>
    public int Seed { get; init; } = 42;
}
