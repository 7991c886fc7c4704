using System.Security.Cryptography;
using System.Text.Json;
using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Embeddings.Contrastive;

/// <summary>How the current in-house CNN was trained, and what it learned.</summary>
/// <param name="Version">The weights file's hash: vectors of another version are stale.</param>
/// <param name="TrainedAt">When training finished.</param>
/// <param name="MelBands">Front-end mel bands.</param>
/// <param name="ChunkFrames">Frames per chunk.</param>
/// <param name="BaseChannels">Channels of the first conv block.</param>
/// <param name="Tracks">Tracks trained on.</param>
/// <param name="Losses">NT-Xent loss per epoch.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="GenreAgreement">On the training tracks, the share of each track's nearest neighbours in its genre.</param>
/// <param name="GenreChance">The same share for neighbours drawn at random.</param>
/// <param name="Neighbours">How many neighbours the agreement counts.</param>
public sealed record ContrastiveCnnModel(string Version, DateTimeOffset TrainedAt, int MelBands, int ChunkFrames, int BaseChannels,
    int Tracks, IReadOnlyList<double> Losses, double Seconds, double? GenreAgreement, double? GenreChance, int Neighbours);

/// <summary>
/// The trained CNNs in the data directory (<c>trained/contrastive-cnn</c>): <c>{version}.weights</c> and
/// <c>{version}.json</c> per model and <c>current.json</c>, naming the one in use, replaced atomically.
/// </summary>
public sealed class ContrastiveCnnModels(IOptions<BlazorRecsOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The folder.</summary>
    public string Directory => Path.Combine(options.Value.DataPath, "trained", "contrastive-cnn");

    private string CurrentPath => Path.Combine(Directory, "current.json");

    /// <summary>The model in use, or null before the first training.</summary>
    /// <exception cref="InvalidDataException">current.json is unreadable.</exception>
    public ContrastiveCnnModel? Current()
    {
        if (!File.Exists(CurrentPath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ContrastiveCnnModel>(File.ReadAllText(CurrentPath), Json)
                   ?? throw new InvalidDataException($"{CurrentPath} is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{CurrentPath} is not a model description: {ex.Message}", ex);
        }
    }

    /// <summary>The weights file of <paramref name="model"/>.</summary>
    public string WeightsOf(ContrastiveCnnModel model) => Path.Combine(Directory, $"{model.Version}.weights");

    /// <summary>Saves <paramref name="network"/>, names its version by the weights' hash and makes it current.</summary>
    public ContrastiveCnnModel Save(ContrastiveCnnNetwork network, Func<string, ContrastiveCnnModel> describe)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string temporary = Path.Combine(Directory, $".{Guid.NewGuid():N}.weights");
        network.save(temporary);
        string version;
        using (var stream = File.OpenRead(temporary))
        {
            version = $"cnn-{Convert.ToHexStringLower(SHA256.HashData(stream))[..12]}";
        }

        var model = describe(version);
        File.Move(temporary, WeightsOf(model), overwrite: true);
        string json = JsonSerializer.Serialize(model, Json);
        File.WriteAllText(Path.Combine(Directory, $"{version}.json"), json);
        string pending = CurrentPath + ".tmp";
        File.WriteAllText(pending, json);
        File.Move(pending, CurrentPath, overwrite: true);
        return model;
    }

    /// <summary>Loads <paramref name="model"/>'s network onto <paramref name="device"/>, in evaluation mode.</summary>
    public ContrastiveCnnNetwork Load(ContrastiveCnnModel model, Device device)
    {
        var network = new ContrastiveCnnNetwork(model.BaseChannels);
        network.load(WeightsOf(model));
        network.to(device);
        network.eval();
        return network;
    }
}
