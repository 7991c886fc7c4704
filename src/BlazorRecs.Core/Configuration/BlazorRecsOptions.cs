using System.Text.Json.Serialization;
using System.ComponentModel.DataAnnotations;

namespace BlazorRecs.Core.Configuration;

/// <summary>Where Torch and ONNX Runtime compute.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ComputeDevice>))]
public enum ComputeDevice
{
    /// <summary>CUDA when a CUDA build and a GPU are present, otherwise the CPU.</summary>
    Auto,

    /// <summary>Always the CPU.</summary>
    Cpu,

    /// <summary>CUDA; the runtimes report themselves failed if it is not available.</summary>
    Cuda,
}

/// <summary>The <c>BlazorRecs</c> configuration section.</summary>
public sealed record BlazorRecsOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs";

    /// <summary>Where the database, audio, indexes and trained models live. Relative paths are taken from the
    /// working directory.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; init; } = "./data";

    /// <summary>Where pretrained model files are looked for (for example <c>musicnn/msd-musicnn-1.onnx</c>);
    /// defaults to <c>models</c> inside <see cref="DataDirectory"/>.</summary>
    public string? ModelsDirectory { get; init; }

    /// <summary>Where Torch and ONNX Runtime compute.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>Intra-op threads for Torch; 0 keeps libtorch's default (one per core).</summary>
    [Range(0, 1024)]
    public int TorchThreads { get; init; }

    /// <summary>The data directory as an absolute path.</summary>
    public string DataPath => Path.GetFullPath(DataDirectory);

    /// <summary>The models directory as an absolute path.</summary>
    public string ModelsPath => Path.GetFullPath(
        string.IsNullOrWhiteSpace(ModelsDirectory) ? Path.Combine(DataDirectory, "models") : ModelsDirectory);

    /// <summary>The SQLite database file.</summary>
    public string DatabasePath => Path.Combine(DataPath, "blazorrecs.db");
}
