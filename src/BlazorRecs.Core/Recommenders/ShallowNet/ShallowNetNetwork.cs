using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BlazorRecs.Core.Recommenders.ShallowNet;

/// <summary>
/// The paper's Shallow Net: a user table and an item table in the same space, both passed through one shared
/// Linear + ReLU; the score is the cosine of the two outputs. With audio the item table is the frozen (standardised)
/// backend vectors and the user table starts at the mean of each user's items; the random-init variant learns both.
/// </summary>
internal sealed class ShallowNetNetwork : Module
{
    private readonly Embedding _users;
    private readonly Embedding? _items;
    private readonly Linear _shared;

    // Frozen audio vectors: not a parameter, and not in the checkpoint (the item set may grow after training).
    private Tensor? _features;

    public ShallowNetNetwork(int users, int learnedItems, int dimension, int hidden) : base(nameof(ShallowNetNetwork))
    {
        _users = Embedding(users, dimension);
        init.normal_(_users.weight!, 0, 0.1);
        if (learnedItems > 0)
        {
            _items = Embedding(learnedItems, dimension);
            init.normal_(_items.weight!, 0, 0.1);
        }

        _shared = Linear(dimension, hidden);
        RegisterComponents();
    }

    public bool UsesAudio => _items is null;

    public long UserCount => _users.weight!.shape[0];

    public long ItemCount => _features?.shape[0] ?? _items?.weight!.shape[0] ?? 0;

    /// <summary>The users' vectors before the shared layer [U, d] (trainable).</summary>
    public Tensor UserTable => _users.weight!;

    /// <summary>The items' vectors before the shared layer [N, d]: frozen audio or learned.</summary>
    public Tensor ItemTable => _features ?? _items!.weight!;

    /// <summary>Sets (or replaces) the frozen audio vectors of the items [N, d], already standardised. The network keeps
    /// a handle of its own to the same storage; the caller still disposes <paramref name="features"/>.</summary>
    public void SetFeatures(Tensor features)
    {
        _features?.Dispose();
        _features = features.detach();
    }

    /// <summary>Starts every user at the given vectors [U, d].</summary>
    public void InitialiseUsers(Tensor vectors)
    {
        using var noGrad = no_grad();
        _users.weight!.copy_(vectors);
    }

    /// <summary>The shared layer, then unit length: cosine becomes a dot product.</summary>
    public Tensor Transform(Tensor vectors)
    {
        using var hidden = functional.relu(_shared.forward(vectors));
        return functional.normalize(hidden, p: 2, dim: -1, eps: 1e-8);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _features?.Dispose();
        }

        base.Dispose(disposing);
    }
}
