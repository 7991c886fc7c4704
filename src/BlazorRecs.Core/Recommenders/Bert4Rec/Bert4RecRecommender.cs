using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders.Bert4Rec;

/// <summary>
/// A trained BERT4Rec. Ranks by appending [MASK] after the most recent history and scoring every item at that
/// position. With audio item vectors, the item set can be replaced after training (<see cref="SetItems"/>): a new
/// track is ranked from its embedding, with no retraining.
/// </summary>
public sealed class Bert4RecRecommender : IContentRecommender
{
    /// <summary>The model id.</summary>
    public const string ModelId = "bert4rec";

    private readonly Device _device;
    private readonly Lock _gate = new();
    private Tensor? _items;

    internal Bert4RecRecommender(Bert4RecNetwork network, Bert4RecOptions options, FeatureScaling? scaling, Device device)
    {
        Network = network;
        Options = options;
        Scaling = scaling;
        _device = device;
    }

    internal Bert4RecNetwork Network { get; }

    /// <summary>The settings it was trained with.</summary>
    public Bert4RecOptions Options { get; }

    /// <summary>The standardisation of audio vectors learned at training (null for random init).</summary>
    public FeatureScaling? Scaling { get; }

    /// <summary>Whether items are projected audio vectors (false: the random-init baseline).</summary>
    public bool UsesAudio => Network.UsesAudio;

    /// <inheritdoc />
    public string Model => ModelId;

    /// <inheritdoc />
    public int ItemCount => (int)Network.ItemCount;

    /// <summary>Replaces the items with these audio vectors (raw, as the backend gives them; standardised here).</summary>
    public void SetItems(ItemFeatures features)
    {
        if (Scaling is null)
        {
            throw new InvalidOperationException("a random-init BERT4Rec has a fixed item table");
        }

        // The network keeps its own (detached) handle; this one is released here.
        using var items = TorchCheckpoint.Standardised(features, Scaling, _device);
        lock (_gate)
        {
            Network.SetFeatures(items);
            ForgetItemVectors();
        }
    }

    /// <summary>Drops the cached item vectors: the trainer calls this after changing the weights.</summary>
    internal void ForgetItemVectors()
    {
        lock (_gate)
        {
            _items?.Dispose();
            _items = null;
        }
    }

    /// <inheritdoc />
    public void Score(IReadOnlyList<RankingQuery> queries, Span<float> scores)
    {
        if (queries.Count == 0)
        {
            return;
        }

        // Modules are not safe to share between threads mid-forward; requests for one model take turns.
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Network.eval();
            long n = Network.ItemCount;
            var tokens = InferenceTokens(queries, (int)n, Options.MaxLength);
            if (_items is null)
            {
                // Projecting every item's audio vector costs as much as the rest of a request: once per item set.
                _items = Network.ItemVectors().detach().DetachFromDisposeScope();
            }

            var items = _items;
            var hidden = Network.Encode(tokens, items);
            var last = hidden[.., -1, ..];
            var logits = Network.Logits(last, items).to(CPU).contiguous();
            logits.data<float>().CopyTo(scores[..(int)(queries.Count * n)]);
        }
    }

    /// <summary>Each history's most recent items followed by [MASK], left-padded with [PAD] to a common length.</summary>
    internal Tensor InferenceTokens(IReadOnlyList<RankingQuery> queries, int itemCount, int maxLength)
    {
        int pad = itemCount, mask = itemCount + 1;
        int length = Math.Min(maxLength, queries.Max(q => q.History.Length) + 1);
        var ids = new long[queries.Count * length];
        Array.Fill(ids, pad);
        for (int q = 0; q < queries.Count; q++)
        {
            int[] history = queries[q].History;
            int keep = Math.Min(history.Length, length - 1);
            int row = q * length;
            ids[row + length - 1] = mask;
            for (int i = 0; i < keep; i++)
            {
                ids[row + length - 1 - keep + i] = history[history.Length - keep + i];
            }
        }

        return tensor(ids, [queries.Count, length], device: _device);
    }

    /// <summary>Writes the weights and a JSON description (settings, item count or feature size, scaling) to a folder.</summary>
    public void Save(string directory)
    {
        lock (_gate)
        {
            TorchCheckpoint.Write(directory, ModelId, Network, new Metadata(Options, UsesAudio ? 0 : ItemCount, Scaling?.Mean.Length ?? 0, Scaling, CurrentLayout));
        }
    }

    /// <summary>Loads a model written by <see cref="Save"/> onto <paramref name="device"/>. An audio model needs
    /// <see cref="SetItems"/> before it can score.</summary>
    /// <exception cref="FileNotFoundException">The folder has no checkpoint.</exception>
    /// <exception cref="InvalidDataException">The checkpoint has an older layout of weights: retrain the pair.</exception>
    public static Bert4RecRecommender Load(string directory, Device device)
    {
        var (metadata, weights) = TorchCheckpoint.Read<Metadata>(directory, ModelId);
        if (metadata.Layout != CurrentLayout)
        {
            throw new InvalidDataException(
                $"'{directory}' holds a BERT4Rec of an older layout (with an output head), which this version cannot load; retrain it");
        }

        var network = new Bert4RecNetwork(metadata.Options, metadata.LearnedItems, metadata.FeatureDimension);
        network.load(weights);
        network.to(device);
        return new Bert4RecRecommender(network, metadata.Options, metadata.Scaling, device);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _items?.Dispose();
        Network.Dispose();
    }

    // Layout 1 (checkpoints written before the field existed) had a dense output head; 2 scores with the item vectors directly.
    private const int CurrentLayout = 2;

    private sealed record Metadata(Bert4RecOptions Options, int LearnedItems, int FeatureDimension, FeatureScaling? Scaling, int Layout = 1);
}
