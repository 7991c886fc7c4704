using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Embeddings;

/// <summary>A pretrained model the product can use, the files it needs in ModelsDirectory, and where to get them.
/// Model files are never shipped with the project: their licences differ from ours.</summary>
public sealed record PretrainedModel(string Id, string Description, IReadOnlyList<string> RelativeFiles, string Source, string Licence);

/// <summary>Finds the known pretrained models in the configured ModelsDirectory.</summary>
public sealed class PretrainedModelFiles(IOptions<BlazorRecsOptions> options)
{
    /// <summary>MusiCNN trained on the Million Song Dataset (Pons and Serra 2019), Essentia's ONNX conversion.</summary>
    public static readonly PretrainedModel MusicnnMsd = new(
        "musicnn-msd",
        "MusiCNN (MSD): 200-d embedding and the 50-tag MSD head",
        ["musicnn/msd-musicnn-1.onnx", "musicnn/msd-msd-musicnn-1.onnx"],
        "Essentia's model zoo, https://essentia.upf.edu/models.html (MusiCNN, MSD: msd-musicnn-1.onnx and the msd classification head)",
        "CC BY-NC-SA 4.0 (non-commercial)");

    /// <summary>Every model the product knows by name.</summary>
    public static IReadOnlyList<PretrainedModel> Known { get; } = [MusicnnMsd];

    /// <summary>The absolute models directory.</summary>
    public string Directory => options.Value.ModelsPath;

    /// <summary>The absolute path of one of a model's files.</summary>
    public string PathOf(string relativeFile) => Path.Combine(Directory, relativeFile);

    /// <summary>The files of <paramref name="model"/> that are missing; empty when it is usable.</summary>
    public IReadOnlyList<string> Missing(PretrainedModel model) =>
        model.RelativeFiles.Where(f => !File.Exists(PathOf(f))).ToList();

    /// <summary>A sentence telling an operator how to make <paramref name="model"/> available.</summary>
    public string HowToGet(PretrainedModel model) =>
        $"{string.Join(", ", Missing(model))} not found in ModelsDirectory ({Directory}); get the files from {model.Source}, " +
        $"licence {model.Licence}, and place them there, or point BlazorRecs:ModelsDirectory at a folder holding them.";
}
