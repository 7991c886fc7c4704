using BlazorRecs.Core.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BlazorRecs.Core.Recommenders.Bert4Rec;

/// <summary>
/// BERT4Rec (Sun et al. 2019) over one of two item representations:
/// <list type="bullet">
/// <item>audio: each item is a learned linear projection of its frozen audio embedding, so any item with an embedding,
/// including one that arrived after training, has a representation;</item>
/// <item>learned ("random init"): an ordinary item embedding table, the collaborative baseline.</item>
/// </list>
/// [PAD] and [MASK] are learned vectors in both. The output layer scores items by the dot product of the last
/// encoder layer's state with the same item vectors, with no dense head between them: on Amazon Beauty the original
/// BERT4Rec's Linear+GELU+LayerNorm head held the best validation NDCG@10 at .0452 against .0478 without it (README).
/// Token ids: items 0..N-1, then PAD = N, MASK = N + 1, where N is the current item count.
/// </summary>
internal sealed class Bert4RecNetwork : Module
{
    private readonly Embedding? _itemTable;
    private readonly Linear? _projection;
    private readonly Parameter? _outputBias;
    private readonly Embedding _special;
    private readonly Embedding _positions;
    private readonly LayerNorm _inputNorm;
    private readonly FastDropout _inputDropout;
    private readonly ModuleList<TransformerBlock> _blocks;
    private readonly int _maxLength;

    // Not a registered buffer: the audio item set may grow after training, and checkpoints must not depend on it.
    private Tensor? _features;

    public Bert4RecNetwork(Bert4RecOptions options, int learnedItems, int featureDimension) : base(nameof(Bert4RecNetwork))
    {
        int h = options.Hidden;
        _maxLength = options.MaxLength;
        if (featureDimension > 0)
        {
            _projection = Linear(featureDimension, h);
        }
        else
        {
            _itemTable = Embedding(learnedItems, h);
            _outputBias = Parameter(zeros(learnedItems));
            init.normal_(_itemTable.weight!, 0, 0.02);
        }

        _special = Embedding(2, h);
        _positions = Embedding(options.MaxLength, h);
        init.normal_(_special.weight!, 0, 0.02);
        init.normal_(_positions.weight!, 0, 0.02);
        _inputNorm = LayerNorm(h);
        _inputDropout = new FastDropout(options.Dropout, (ulong)options.Seed);
        _blocks = ModuleList(Enumerable.Range(0, options.Layers)
            .Select(i => new TransformerBlock(h, options.Heads, options.FeedForward, options.Dropout, (ulong)options.Seed + 1 + (ulong)i)).ToArray());
        RegisterComponents();
    }

    /// <summary>Whether items are projections of audio vectors.</summary>
    public bool UsesAudio => _projection is not null;

    /// <summary>How many items the network scores now.</summary>
    public long ItemCount => _features?.shape[0] ?? _itemTable?.weight!.shape[0] ?? 0;

    /// <summary>Sets (or replaces) the frozen audio vectors of the items, already standardised, on the module's device.
    /// The network keeps a handle of its own to the same storage; the caller still disposes <paramref name="features"/>.</summary>
    public void SetFeatures(Tensor features)
    {
        if (_projection is null)
        {
            throw new InvalidOperationException("a random-init BERT4Rec has no audio item vectors");
        }

        _features?.Dispose();
        _features = features.detach();
    }

    /// <summary>The items' hidden vectors [N, hidden]: projected audio, or the learned table.</summary>
    public Tensor ItemVectors()
    {
        if (_projection is not null)
        {
            return _projection.forward(_features ?? throw new InvalidOperationException("audio item vectors were not set"));
        }

        return _itemTable!.weight!.alias();
    }

    /// <summary>Encodes token ids [batch, length] (left-padded with PAD) into hidden states [batch, length, hidden].</summary>
    public Tensor Encode(Tensor tokens, Tensor itemVectors)
    {
        long batch = tokens.shape[0], length = tokens.shape[1];
        long items = itemVectors.shape[0];
        using var table = cat([itemVectors, _special.weight!], 0);
        using var flat = tokens.reshape(-1);
        using var embedded = table.index_select(0, flat).view(batch, length, -1);
        // Positions count back from the most recent token, so [MASK] at the end of a history always sits at
        // position 0, however long the history and however the batch is padded.
        using var positionIds = arange(length - 1, -1, -1, dtype: ScalarType.Int64, device: tokens.device).clamp_max(_maxLength - 1);
        using var positions = _positions.forward(positionIds).unsqueeze(0);
        using var summed = embedded + positions;
        using var normed = _inputNorm.forward(summed);
        var x = _inputDropout.forward(normed);
        using var padding = tokens.eq(items).view(batch, 1, 1, length);
        using var keyMask = zeros([batch, 1, 1, length], dtype: x.dtype, device: x.device).masked_fill(padding, -1e9);
        foreach (var block in _blocks)
        {
            var next = block.forward(x, keyMask);
            x.Dispose();
            x = next;
        }

        return x;
    }

    /// <summary>Scores hidden states [M, hidden] against every item: [M, N].</summary>
    public Tensor Logits(Tensor hidden, Tensor itemVectors)
    {
        var logits = hidden.matmul(itemVectors.t());
        if (_outputBias is not null)
        {
            logits.add_(_outputBias);
        }

        return logits;
    }

    /// <summary>
    /// The training objective at masked positions, forward and backward: full-softmax cross-entropy of their states
    /// [M, hidden] over every item (scored as <see cref="Logits"/> scores them) against the true items, summed and
    /// divided by <paramref name="divisor"/>; gradients flow into every parameter. Returns the loss.
    /// With <paramref name="itemSubset"/> the softmax ranks only those items, and <paramref name="labels"/> are
    /// positions in it.
    /// </summary>
    public double BackwardCloze(Tensor states, Tensor itemVectors, Tensor labels, double divisor, Action<string>? lap = null, Tensor? itemSubset = null)
    {
        if (itemSubset is null)
        {
            return FullSoftmaxCrossEntropy.Backward(states, itemVectors, _outputBias, labels, divisor, lap);
        }

        using var items = itemVectors.index_select(0, itemSubset);
        using var bias = _outputBias?.index_select(0, itemSubset);
        return FullSoftmaxCrossEntropy.Backward(states, items, bias, labels, divisor, lap);
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
