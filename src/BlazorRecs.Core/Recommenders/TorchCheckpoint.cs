using System.Text.Json;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders;

/// <summary>
/// What the TorchSharp recommenders share: a checkpoint folder of weights plus a JSON description, and audio item
/// vectors standardised with the training statistics and put on the model's device.
/// </summary>
internal static class TorchCheckpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes <c>{name}.weights</c> and <c>{name}.json</c> into <paramref name="directory"/>.</summary>
    public static void Write<TMetadata>(string directory, string name, nn.Module network, TMetadata metadata)
    {
        Directory.CreateDirectory(directory);
        network.save(Path.Combine(directory, $"{name}.weights"));
        File.WriteAllText(Path.Combine(directory, $"{name}.json"), JsonSerializer.Serialize(metadata, Json));
    }

    /// <summary>Reads the description written by <see cref="Write"/>; the weights file's path comes with it.</summary>
    /// <exception cref="FileNotFoundException">The folder has no such checkpoint.</exception>
    public static (TMetadata Metadata, string WeightsPath) Read<TMetadata>(string directory, string name)
    {
        string path = Path.Combine(directory, $"{name}.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no {name} checkpoint in '{directory}'", path);
        }

        var metadata = JsonSerializer.Deserialize<TMetadata>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"'{path}' is empty");
        return (metadata, Path.Combine(directory, $"{name}.weights"));
    }

    /// <summary>The items' raw vectors standardised with <paramref name="scaling"/>, as a [N, d] tensor on <paramref name="device"/>.</summary>
    public static Tensor Standardised(ItemFeatures features, FeatureScaling scaling, Device device)
    {
        var standardised = features.Standardise(scaling);
        using var cpu = tensor(standardised.Values, [standardised.Count, standardised.Dimension]);
        return cpu.to(device);
    }
}
