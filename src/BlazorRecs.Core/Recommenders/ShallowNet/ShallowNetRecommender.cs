using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Recommenders.ShallowNet;

/// <summary>
/// A trained Shallow Net. A query whose user was in training uses that user's learned vector; anyone else (a new
/// listener, or the live app ranking a listener's current history) is folded in as the mean of their history items'
/// vectors, the same rule that initialised the user table. With audio items the item set can be replaced after
/// training (<see cref="SetItems"/>), so a new track is ranked from its embedding.
/// </summary>
public sealed class ShallowNetRecommender : IContentRecommender
{
    /// <summary>The model id.</summary>
    public const string ModelId = "shallow-net";

    private readonly Device _device;
    private readonly Lock _gate = new();
    private Tensor? _transformedItems;

    internal ShallowNetRecommender(ShallowNetNetwork network, ShallowNetOptions options, FeatureScaling? scaling, Device device)
    {
        Network = network;
        Options = options;
        Scaling = scaling;
        _device = device;
    }

    internal ShallowNetNetwork Network { get; }

    /// <summary>The settings it was trained with.</summary>
    public ShallowNetOptions Options { get; }

    /// <summary>The standardisation of audio vectors learned at training (null for random init).</summary>
    public FeatureScaling? Scaling { get; }

    /// <inheritdoc />
    public string Model => ModelId;

    /// <inheritdoc />
    public int ItemCount => (int)Network.ItemCount;

    /// <inheritdoc />
    public bool UsesAudio => Network.UsesAudio;

    /// <inheritdoc />
    public void SetItems(ItemFeatures features)
    {
        if (Scaling is null)
        {
            throw new InvalidOperationException("a random-init Shallow Net has a fixed item table");
        }

        // The network keeps its own (detached) handle; this one is released here.
        using var items = TorchCheckpoint.Standardised(features, Scaling, _device);
        lock (_gate)
        {
            Network.SetFeatures(items);
            ForgetItemVectors();
        }
    }

    /// <inheritdoc />
    public void Score(IReadOnlyList<RankingQuery> queries, Span<float> scores)
    {
        if (queries.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Network.eval();
            _transformedItems ??= Network.Transform(Network.ItemTable).detach().DetachFromDisposeScope();
            var users = UserVectors(queries);
            var result = Network.Transform(users).matmul(_transformedItems.t()).to(CPU).contiguous();
            result.data<float>().CopyTo(scores[..(int)(queries.Count * Network.ItemCount)]);
        }
    }

    /// <summary>Drops the cached transformed items: the trainer calls this after changing the weights.</summary>
    internal void ForgetItemVectors()
    {
        lock (_gate)
        {
            _transformedItems?.Dispose();
            _transformedItems = null;
        }
    }

    // Known users: their row. Others: the mean of their history items (zeros for an empty history).
    private Tensor UserVectors(IReadOnlyList<RankingQuery> queries)
    {
        var table = Network.ItemTable;
        var rows = new List<Tensor>(queries.Count);
        foreach (var q in queries)
        {
            if (q.User >= 0 && q.User < Network.UserCount)
            {
                rows.Add(Network.UserTable[q.User]);
            }
            else if (q.History.Length > 0)
            {
                using var ids = tensor(q.History.Select(i => (long)i).ToArray(), device: _device);
                rows.Add(table.index_select(0, ids).mean([0]));
            }
            else
            {
                rows.Add(zeros(table.shape[1], device: _device));
            }
        }

        return stack(rows);
    }

    /// <summary>Writes the weights (users, shared layer, learned items) and a JSON description to a folder.</summary>
    public void Save(string directory)
    {
        lock (_gate)
        {
            TorchCheckpoint.Write(directory, ModelId, Network,
                new Metadata(Options, (int)Network.UserCount, UsesAudio ? 0 : ItemCount, (int)Network.ItemTable.shape[1], Scaling));
        }
    }

    /// <summary>Loads a model written by <see cref="Save"/>; an audio model needs <see cref="SetItems"/> before it scores.</summary>
    /// <exception cref="FileNotFoundException">The folder has no checkpoint.</exception>
    public static ShallowNetRecommender Load(string directory, Device device)
    {
        var (metadata, weights) = TorchCheckpoint.Read<Metadata>(directory, ModelId);
        var network = new ShallowNetNetwork(metadata.Users, metadata.LearnedItems, metadata.Dimension, metadata.Options.Hidden);
        network.load(weights);
        network.to(device);
        return new ShallowNetRecommender(network, metadata.Options, metadata.Scaling, device);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _transformedItems?.Dispose();
        Network.Dispose();
    }

    private sealed record Metadata(ShallowNetOptions Options, int Users, int LearnedItems, int Dimension, FeatureScaling? Scaling);
}
