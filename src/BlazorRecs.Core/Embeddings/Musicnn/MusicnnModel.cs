using BlazorRecs.Core.Embeddings.Audio;
using BlazorRecs.Core.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BlazorRecs.Core.Embeddings.Musicnn;

/// <summary>What MusiCNN says about a piece of audio.</summary>
/// <param name="Embedding">The mean of the patch embeddings, 200-d: the paper's track vector.</param>
/// <param name="Tags">The 50 MSD tag probabilities, averaged over patches, in <see cref="MusicnnModel.TagNames"/> order.</param>
/// <param name="Patches">How many 187-frame patches were embedded.</param>
/// <param name="Padded">True when the audio was shorter than one patch (about 3 s) and was padded with silence.</param>
public sealed record MusicnnAnalysis(float[] Embedding, float[] Tags, int Patches, bool Padded);

/// <summary>
/// The pretrained MusiCNN (MSD) through ONNX Runtime: log-mel patches to 200-d embeddings, and the MSD head's 50 tag
/// probabilities. One instance (two sessions) per process; <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/> is thread-safe.
/// </summary>
public sealed class MusicnnModel : IDisposable
{
    /// <summary>Frames per patch (about 3 s at hop 256 and 16 kHz).</summary>
    public const int PatchFrames = 187;

    /// <summary>Embedding size.</summary>
    public const int EmbeddingSize = 200;

    /// <summary>The MSD tags in the head's output order (musicnn's MSD_LABELS).</summary>
    public static readonly IReadOnlyList<string> TagNames =
    [
        "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s", "alternative rock", "jazz",
        "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s",
        "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
        "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy", "catchy",
        "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy",
    ];

    private const string EmbeddingInput = "model/Placeholder:0";
    private const string EmbeddingOutput = "model/dense/BiasAdd:0";
    private const string HeadInput = "serving_default_model_Placeholder:0";
    private const string HeadOutput = "PartitionedCall:0";
    private static readonly int Bands = LogMelSettings.Musicnn.MelBands;

    private readonly InferenceSession _embedding;
    private readonly InferenceSession _head;

    /// <summary>Loads the embedding model and the MSD tag head.</summary>
    public MusicnnModel(OnnxRuntimeHost onnx, string embeddingModelPath, string tagHeadPath)
    {
        _embedding = onnx.CreateSession(embeddingModelPath);
        try
        {
            _head = onnx.CreateSession(tagHeadPath);
        }
        catch
        {
            _embedding.Dispose();
            throw;
        }
    }

    /// <summary>The front end MusiCNN was trained on.</summary>
    public static LogMelSpectrogram FrontEnd { get; } = new(LogMelSettings.Musicnn);

    /// <summary>Embeds row-major [patches, 187, 96] log-mel patches; returns row-major [patches, 200].</summary>
    public float[] EmbedPatches(float[] patches)
    {
        int n = patches.Length / (PatchFrames * Bands);
        if (n == 0 || patches.Length != n * PatchFrames * Bands)
        {
            throw new ArgumentException($"Expected a whole number of {PatchFrames}x{Bands} patches, got {patches.Length} values.", nameof(patches));
        }

        return Run(_embedding, EmbeddingInput, EmbeddingOutput, new DenseTensor<float>(patches, [n, PatchFrames, Bands]));
    }

    /// <summary>Tag probabilities for row-major [n, 200] embeddings; returns row-major [n, 50].</summary>
    public float[] TagEmbeddings(float[] embeddings)
    {
        int n = embeddings.Length / EmbeddingSize;
        return Run(_head, HeadInput, HeadOutput, new DenseTensor<float>(embeddings, [n, EmbeddingSize]));
    }

    /// <summary>
    /// Analyses a log-mel spectrogram (row-major [frames, 96], from <see cref="FrontEnd"/>): non-overlapping patches,
    /// all of them or at most <paramref name="maxPatches"/> evenly spaced ones (long uploads), embedded and averaged.
    /// Audio shorter than one patch is padded with silence (log-mel 0) and flagged.
    /// </summary>
    public MusicnnAnalysis Analyze(ReadOnlySpan<float> logMel, int? maxPatches = null)
    {
        int frames = logMel.Length / Bands;
        if (frames == 0)
        {
            throw new ArgumentException("No audio frames to analyse.", nameof(logMel));
        }

        int[] starts = EvenWindows.Starts(frames, PatchFrames, maxPatches);
        var input = new float[starts.Length * PatchFrames * Bands];
        for (int p = 0; p < starts.Length; p++)
        {
            logMel.Slice(starts[p] * Bands, Math.Min(PatchFrames, frames) * Bands).CopyTo(input.AsSpan(p * PatchFrames * Bands));
        }

        return AnalyzePatches(input, starts.Length, frames < PatchFrames);
    }

    /// <summary>
    /// Analyses mono 16 kHz audio: the same as <see cref="Analyze(ReadOnlySpan{float}, int?)"/> of
    /// <see cref="FrontEnd"/>'s spectrogram, computing only the frames of the patches it embeds.
    /// </summary>
    public MusicnnAnalysis AnalyzeAudio(ReadOnlySpan<float> audio, int? maxPatches = null)
    {
        float[] input = FrontEnd.ComputeWindows(audio, PatchFrames, maxPatches, out int patches);
        return AnalyzePatches(input, patches, FrontEnd.FrameCount(audio.Length) < PatchFrames);
    }

    /// <summary>Embeds <paramref name="count"/> row-major [187, 96] patches and averages their embeddings and tags.</summary>
    public MusicnnAnalysis AnalyzePatches(float[] patches, int count, bool padded)
    {
        float[] embeddings = EmbedPatches(patches);
        float[] tags = TagEmbeddings(embeddings);
        return new MusicnnAnalysis(MeanRows(embeddings, EmbeddingSize), MeanRows(tags, TagNames.Count), count, padded);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _embedding.Dispose();
        _head.Dispose();
    }

    private static float[] Run(InferenceSession session, string input, string output, DenseTensor<float> tensor)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)], [output]);
        return results[0].AsTensor<float>().ToArray();
    }

    private static float[] MeanRows(float[] rows, int width)
    {
        int n = rows.Length / width;
        var mean = new float[width];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < width; c++)
            {
                mean[c] += rows[r * width + c];
            }
        }

        for (int c = 0; c < width; c++)
        {
            mean[c] /= n;
        }

        return mean;
    }
}
