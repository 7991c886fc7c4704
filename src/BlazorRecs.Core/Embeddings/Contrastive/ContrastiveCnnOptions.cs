using System.ComponentModel.DataAnnotations;
using BlazorRecs.Core.Embeddings.Audio;

namespace BlazorRecs.Core.Embeddings.Contrastive;

/// <summary>
/// The <c>BlazorRecs:ContrastiveCnn</c> section: the in-house CNN trained on the catalog's own audio with a
/// contrastive NT-Xent loss (SimCLR, Chen et al. 2020; for audio, COLA, Saeed et al. 2021). Defaults train for a few
/// minutes on the 500-track demo catalog on two CPU cores.
/// </summary>
public sealed record ContrastiveCnnOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:ContrastiveCnn";

    /// <summary>Mel bands of the front end (16 kHz, n_fft 512, hop 256, 0-8000 Hz, log10(1 + 10000 mel)).</summary>
    [Range(16, 256)] public int MelBands { get; init; } = 64;

    /// <summary>Frames per chunk (128 frames at hop 256 are about 2 s).</summary>
    [Range(16, 1024)] public int ChunkFrames { get; init; } = 128;

    /// <summary>Channels of the four conv blocks' first block; each later block doubles it.</summary>
    [Range(4, 128)] public int BaseChannels { get; init; } = 16;

    /// <summary>Tracks per batch; each gives two views, so a batch has 2x this many chunks.</summary>
    [Range(2, 1024)] public int BatchSize { get; init; } = 64;

    /// <summary>Passes over the training tracks.</summary>
    [Range(1, 10_000)] public int Epochs { get; init; } = 40;

    /// <summary>Stop after this long, keeping what was learned; null for no limit.</summary>
    public TimeSpan? TimeBudget { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>NT-Xent temperature.</summary>
    [Range(0.01, 10.0)] public double Temperature { get; init; } = 0.1;

    /// <summary>Adam's learning rate.</summary>
    [Range(1e-6, 1.0)] public double LearningRate { get; init; } = 1e-3;

    /// <summary>Augmentation: largest random gain either way, in dB.</summary>
    [Range(0.0, 40.0)] public double MaxGainDb { get; init; } = 6;

    /// <summary>Augmentation: additive noise at a random signal-to-noise ratio between this and <see cref="MaxSnrDb"/>.</summary>
    [Range(-20.0, 100.0)] public double MinSnrDb { get; init; } = 10;

    /// <summary>Augmentation: the cleanest noise, in dB signal-to-noise.</summary>
    [Range(-20.0, 100.0)] public double MaxSnrDb { get; init; } = 30;

    /// <summary>Most tracks to train on (a random subset of a larger catalog; their spectrograms are held in memory).</summary>
    [Range(4, 1_000_000)] public int MaxTracks { get; init; } = 2000;

    /// <summary>Most seconds of each track kept for training (from its middle).</summary>
    [Range(1, 3600)] public int MaxSecondsPerTrack { get; init; } = 30;

    /// <summary>At inference, the most chunks embedded per track (evenly spaced) before averaging; 0 for all.</summary>
    [Range(0, 10_000)] public int MaxChunks { get; init; } = 16;

    /// <summary>Seed for initialisation, batch order and augmentation.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The front end these options describe.</summary>
    public LogMelSettings FrontEnd => new(16_000, 512, 256, MelBands, 0, 8000, 10_000);
}
