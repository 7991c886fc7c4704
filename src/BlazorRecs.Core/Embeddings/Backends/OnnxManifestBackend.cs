using System.Security.Cryptography;
using System.Text.Json;
using BlazorRecs.Core.Embeddings.Audio;
using BlazorRecs.Core.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BlazorRecs.Core.Embeddings.Backends;

/// <summary>
/// <c>ModelsDirectory/&lt;name&gt;.backend.json</c>: an exported model described well enough to embed audio without code.
/// </summary>
/// <param name="Name">The backend is called <c>onnx:&lt;name&gt;</c>.</param>
/// <param name="Model">The ONNX file, relative to the manifest.</param>
/// <param name="Input">Input node name.</param>
/// <param name="Output">Output node name.</param>
/// <param name="Dimension">Output size per window.</param>
/// <param name="InputKind"><c>logmel</c> ([windows, frames, bands]) or <c>waveform</c> ([windows, samples]).</param>
/// <param name="SampleRate">Mono sample rate the model expects.</param>
/// <param name="WindowSeconds">For waveform input: seconds per window.</param>
/// <param name="WindowFrames">For log-mel input: frames per window.</param>
/// <param name="LogMel">For log-mel input: the front end (n_fft, hop, bands, Hz range, log scale C in log10(1 + C mel)).</param>
/// <param name="Pooling"><c>mean</c> or <c>max</c> over windows.</param>
public sealed record OnnxManifest(
    string Name, string Model, string Input, string Output, int Dimension, string InputKind, int SampleRate,
    double? WindowSeconds = null, int? WindowFrames = null, LogMelSettings? LogMel = null, string Pooling = "mean");

/// <summary>An operator-supplied ONNX model described by an <see cref="OnnxManifest"/>; reports itself unavailable,
/// with the reason, when the manifest or the model is wrong.</summary>
public sealed class OnnxManifestBackend : IEmbeddingBackend, IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly OnnxManifest? _manifest;
    private readonly string _manifestPath;
    private readonly string? _problem;
    private readonly OnnxRuntimeHost _onnx;
    private readonly int _maxWindows;
    private readonly Lazy<(InferenceSession Session, string Version)> _session;
    private readonly LogMelSpectrogram? _frontEnd;

    /// <summary>Reads and checks a manifest file.</summary>
    public OnnxManifestBackend(string manifestPath, OnnxRuntimeHost onnx, int maxWindows)
    {
        _manifestPath = manifestPath;
        _onnx = onnx;
        _maxWindows = maxWindows;
        string fallbackName = Path.GetFileName(manifestPath).Replace(".backend.json", "", StringComparison.Ordinal);
        try
        {
            _manifest = JsonSerializer.Deserialize<OnnxManifest>(File.ReadAllText(manifestPath), JsonOptions)
                        ?? throw new JsonException("empty manifest");
            _problem = Validate(_manifest);
            if (_problem is null && _manifest.InputKind == "logmel")
            {
                _frontEnd = new LogMelSpectrogram(_manifest.LogMel! with { SampleRate = _manifest.SampleRate });
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or ArgumentException)
        {
            _problem = $"{Path.GetFileName(manifestPath)}: {ex.Message}";
        }

        Id = $"onnx:{_manifest?.Name ?? fallbackName}";
        _session = new(() =>
        {
            string model = ModelPath;
            var session = _onnx.CreateSession(model);
            using var stream = File.OpenRead(model);
            return (session, $"{Path.GetFileName(model)}@{Convert.ToHexStringLower(SHA256.HashData(stream))[..12]}");
        });
    }

    /// <inheritdoc />
    public string Id { get; }

    private string ModelPath => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_manifestPath)!, _manifest!.Model));

    /// <inheritdoc />
    public BackendInfo Describe()
    {
        string? problem = _problem ?? (File.Exists(ModelPath) ? null : $"model file not found: {ModelPath}");
        if (problem is not null)
        {
            return new BackendInfo(Id, "onnx", _manifest?.Dimension ?? 0, "unavailable", BackendStatus.Unavailable, problem, _manifest?.SampleRate ?? 16_000, false);
        }

        try
        {
            return new BackendInfo(Id, "onnx", _manifest!.Dimension, _session.Value.Version, BackendStatus.Available,
                $"{_manifest.InputKind} input at {_manifest.SampleRate} Hz, {_manifest.Pooling} pooling ({Path.GetFileName(_manifestPath)})", _manifest.SampleRate, false);
        }
        catch (OnnxRuntimeException ex)
        {
            return new BackendInfo(Id, "onnx", _manifest!.Dimension, "unavailable", BackendStatus.Unavailable, $"ONNX Runtime cannot load the model: {ex.Message}", _manifest.SampleRate, false);
        }
    }

    /// <inheritdoc />
    public Task<AudioEmbedding> EmbedAsync(float[] audio, CancellationToken cancellationToken)
    {
        var info = Describe();
        if (info.Status != BackendStatus.Available)
        {
            throw new InvalidOperationException(info.Detail);
        }

        var m = _manifest!;
        DenseTensor<float> input = m.InputKind == "logmel" ? LogMelWindows(audio, m) : WaveformWindows(audio, m);
        using var results = _session.Value.Session.Run([NamedOnnxValue.CreateFromTensor(m.Input, input)], [m.Output]);
        float[] output = results[0].AsTensor<float>().ToArray();
        int windows = (int)input.Dimensions[0];
        if (output.Length != windows * m.Dimension)
        {
            throw new InvalidOperationException($"{Id}: the model returned {output.Length} values for {windows} windows; the manifest says {m.Dimension} per window.");
        }

        var pooled = new float[m.Dimension];
        for (int d = 0; d < m.Dimension; d++)
        {
            float acc = m.Pooling == "max" ? float.MinValue : 0;
            for (int w = 0; w < windows; w++)
            {
                float v = output[w * m.Dimension + d];
                acc = m.Pooling == "max" ? Math.Max(acc, v) : acc + v / windows;
            }

            pooled[d] = acc;
        }

        return Task.FromResult(new AudioEmbedding(pooled, null));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_session.IsValueCreated)
        {
            _session.Value.Session.Dispose();
        }
    }

    private DenseTensor<float> LogMelWindows(float[] audio, OnnxManifest m)
    {
        int frames = m.WindowFrames!.Value;
        float[] data = _frontEnd!.ComputeWindows(audio, frames, _maxWindows > 0 ? _maxWindows : null, out int windows);
        return new DenseTensor<float>(data, [windows, frames, m.LogMel!.MelBands]);
    }

    private DenseTensor<float> WaveformWindows(float[] audio, OnnxManifest m)
    {
        int size = (int)(m.WindowSeconds!.Value * m.SampleRate);
        int[] starts = EvenWindows.Starts(audio.Length, size, _maxWindows > 0 ? _maxWindows : null);
        var data = new float[starts.Length * size];
        for (int w = 0; w < starts.Length; w++)
        {
            audio.AsSpan(starts[w], Math.Min(size, audio.Length - starts[w])).CopyTo(data.AsSpan(w * size));
        }

        return new DenseTensor<float>(data, [starts.Length, size]);
    }

    private static string? Validate(OnnxManifest m)
    {
        if (string.IsNullOrWhiteSpace(m.Name) || string.IsNullOrWhiteSpace(m.Model) || string.IsNullOrWhiteSpace(m.Input) || string.IsNullOrWhiteSpace(m.Output))
        {
            return "name, model, input and output are required";
        }

        if (m.Dimension <= 0 || m.SampleRate < 1000)
        {
            return "dimension must be positive and sampleRate at least 1000";
        }

        if (m.Pooling is not ("mean" or "max"))
        {
            return $"pooling must be mean or max, not '{m.Pooling}'";
        }

        return m.InputKind switch
        {
            "logmel" when m.LogMel is null || m.WindowFrames is not > 0 => "logmel input needs logMel settings and windowFrames",
            "waveform" when m.WindowSeconds is not > 0 => "waveform input needs windowSeconds",
            "logmel" or "waveform" => null,
            _ => $"inputKind must be logmel or waveform, not '{m.InputKind}'",
        };
    }
}
