using System.ComponentModel.DataAnnotations;

namespace BlazorRecs.Core.Recommenders.ShallowNet;

/// <summary>
/// Shallow Net's hyper-parameters (configuration section <c>BlazorRecs:ShallowNet</c>); the defaults are the paper's
/// (its code: one shared Linear(d, 300) + ReLU, cosine score, hinge margin 0.2, 20 negative users, Adam 1e-3).
/// </summary>
public sealed record ShallowNetOptions
{
    /// <summary>The output size of the shared layer.</summary>
    [Range(8, 4096)] public int Hidden { get; init; } = 300;

    /// <summary>The vector size of learned item and user vectors in the random-init variant.</summary>
    [Range(8, 4096)] public int RandomInitDimension { get; init; } = 128;

    /// <summary>The hinge loss margin.</summary>
    [Range(0.0, 2.0)] public double Margin { get; init; } = 0.2;

    /// <summary>Random negative users per positive (user, item) pair.</summary>
    [Range(1, 1000)] public int Negatives { get; init; } = 20;

    /// <summary>Positive pairs per batch.</summary>
    [Range(1, 65536)] public int BatchSize { get; init; } = 1024;

    /// <summary>Adam's learning rate.</summary>
    [Range(1e-6, 1.0)] public double LearningRate { get; init; } = 1e-3;

    /// <summary>At most this many epochs.</summary>
    [Range(1, 10_000)] public int MaxEpochs { get; init; } = 100;

    /// <summary>Stop after this many epochs without a better validation score.</summary>
    [Range(1, 1000)] public int Patience { get; init; } = 5;

    /// <summary>Halve (by <see cref="PlateauFactor"/>) the learning rate after this many epochs without improvement.</summary>
    [Range(0, 1000)] public int PlateauPatience { get; init; } = 2;

    /// <summary>The learning-rate factor on a plateau.</summary>
    [Range(0.01, 0.99)] public double PlateauFactor { get; init; } = 0.5;

    /// <summary>What early stopping watches.</summary>
    [Required, RegularExpression(@"^(HR|Recall|NDCG)@[1-9][0-9]*$", ErrorMessage = "must be HR@K, Recall@K or NDCG@K, for example NDCG@10 (case matters)")]
    public string ValidationMetric { get; init; } = "NDCG@10";

    /// <summary>An optional wall-clock cap on training.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>The seed of initialisation and sampling.</summary>
    public int Seed { get; init; } = 42;
}
