using BlazorRecs.Core.Embeddings.Audio;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Torch;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Core.Embeddings.Contrastive;

/// <summary>
/// <c>contrastive-cnn</c>, 128-d: the CNN trained in-house on the catalog's own audio. Available once the
/// train-contrastive-cnn job has run; a new training is a new version, so every track is embedded again.
/// </summary>
public sealed class ContrastiveCnnBackend(ContrastiveCnnModels models, TorchRuntime torch, IOptions<ContrastiveCnnOptions> options)
    : IEmbeddingBackend, IDisposable
{
    /// <summary>The backend id.</summary>
    public const string BackendId = "contrastive-cnn";

    private readonly Lock _gate = new();
    private (string Version, ContrastiveCnnNetwork Network, LogMelSpectrogram FrontEnd)? _loaded;

    /// <inheritdoc />
    public string Id => BackendId;

    /// <inheritdoc />
    public BackendInfo Describe()
    {
        ContrastiveCnnModel? model;
        try
        {
            model = models.Current();
        }
        catch (InvalidDataException ex)
        {
            return Unavailable($"the trained model cannot be read ({ex.Message}); train it again");
        }

        return model is null
            ? Unavailable("not trained yet: start the train-contrastive-cnn job on the Jobs page (admin) or run `blazorrecs train-cnn`; it learns from the catalog's own audio in a few minutes")
            : new BackendInfo(BackendId, "contrastive-cnn", ContrastiveCnnNetwork.OutputSize, model.Version, BackendStatus.Available,
                $"CNN trained in-house with NT-Xent on {model.Tracks} catalog tracks ({model.TrainedAt:yyyy-MM-dd HH:mm} UTC" +
                (model.GenreAgreement is { } g ? $"; {g:P0} of its {model.Neighbours} nearest neighbours share a track's genre, chance {model.GenreChance:P0})" : ")"),
                16_000, HasTags: false);
    }

    /// <inheritdoc />
    public Task<AudioEmbedding> EmbedAsync(float[] audio, CancellationToken cancellationToken)
    {
        var model = models.Current() ?? throw new InvalidOperationException(Describe().Detail);
        lock (_gate)
        {
            if (_loaded?.Version != model.Version)
            {
                _loaded?.Network.Dispose();
                _loaded = (model.Version, models.Load(model, torch.Device),
                    new LogMelSpectrogram(options.Value.FrontEnd with { MelBands = model.MelBands }));
            }

            var (_, network, frontEnd) = _loaded.Value;
            int max = options.Value.MaxChunks;
            float[] chunks = frontEnd.ComputeWindows(audio, model.ChunkFrames, max > 0 ? max : null, out int count);
            float[] vector = ContrastiveCnnTrainer.Embed(network, chunks, count, model.ChunkFrames, model.MelBands, torch.Device);
            return Task.FromResult(new AudioEmbedding(vector, null));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _loaded?.Network.Dispose();

    private static BackendInfo Unavailable(string why) =>
        new(BackendId, "contrastive-cnn", ContrastiveCnnNetwork.OutputSize, "unavailable", BackendStatus.Unavailable, why, 16_000, HasTags: false);
}
