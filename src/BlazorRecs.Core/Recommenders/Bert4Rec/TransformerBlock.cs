using BlazorRecs.Core.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BlazorRecs.Core.Recommenders.Bert4Rec;

/// <summary>
/// One bidirectional transformer layer as in BERT (post-norm, GELU): self-attention over the whole sequence, with
/// padding masked out of the keys, then a position-wise feed-forward network, each with dropout and a residual.
/// </summary>
internal sealed class TransformerBlock : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _qkv;
    private readonly Linear _attentionOut;
    private readonly LayerNorm _attentionNorm;
    private readonly Linear _feedForwardIn;
    private readonly Linear _feedForwardOut;
    private readonly LayerNorm _feedForwardNorm;
    private readonly FastDropout _dropout;
    private readonly int _heads;
    private readonly double _dropoutProbability;

    public TransformerBlock(int hidden, int heads, int feedForward, double dropout, ulong seed) : base(nameof(TransformerBlock))
    {
        if (hidden % heads != 0)
        {
            throw new ArgumentException($"hidden size {hidden} is not divisible by {heads} heads", nameof(heads));
        }

        _heads = heads;
        _dropoutProbability = dropout;
        _qkv = Linear(hidden, 3 * hidden);
        _attentionOut = Linear(hidden, hidden);
        _attentionNorm = LayerNorm(hidden);
        _feedForwardIn = Linear(hidden, feedForward);
        _feedForwardOut = Linear(feedForward, hidden);
        _feedForwardNorm = LayerNorm(hidden);
        _dropout = new FastDropout(dropout, seed);
        RegisterComponents();
    }

    /// <param name="x">[batch, length, hidden].</param>
    /// <param name="keyMask">Additive attention mask [batch, 1, 1, length]: 0 for real tokens, a large negative number for padding.</param>
    public override Tensor forward(Tensor x, Tensor keyMask)
    {
        long batch = x.shape[0], length = x.shape[1], hidden = x.shape[2];
        using var qkv = _qkv.forward(x).view(batch, length, 3, _heads, hidden / _heads).permute(2, 0, 3, 1, 4);
        using var q = qkv[0];
        using var k = qkv[1];
        using var v = qkv[2];
        using var attended = Attend(q, k, v, keyMask);
        using var merged = attended.transpose(1, 2).reshape(batch, length, hidden);
        using var projected = _attentionOut.forward(merged);
        using var dropped = _dropout.forward(projected);
        using var residual = x + dropped;
        using var h = _attentionNorm.forward(residual);

        using var inner = _feedForwardIn.forward(h);
        using var activated = functional.gelu(inner);
        using var innerDropped = _dropout.forward(activated);
        using var outer = _feedForwardOut.forward(innerDropped);
        using var outerDropped = _dropout.forward(outer);
        using var residual2 = h + outerDropped;
        return _feedForwardNorm.forward(residual2);
    }

    /// <summary>
    /// softmax(q·kᵀ / √d + keyMask), with dropout on the attention probabilities in training, times v.
    /// <para>
    /// On the CPU in training the product is written out, so that the probabilities' dropout is <see cref="FastDropout"/>:
    /// with dropout, libtorch's CPU scaled-dot-product attention takes its composite path, whose Bernoulli mask over
    /// [batch, heads, length, length] costs about 10 ns an element; on the default demo (histories up to 200 tracks)
    /// that was two thirds of the encoder's forward pass (<c>bench train</c>: 47.8 ms a step with dropout 0.1 against
    /// 16.0 ms with none). Everywhere else (evaluation, CUDA) libtorch's fused kernel does the same computation.
    /// </para>
    /// </summary>
    /// <param name="q">[batch, heads, length, d].</param>
    /// <param name="k">[batch, heads, length, d].</param>
    /// <param name="v">[batch, heads, length, d].</param>
    /// <param name="keyMask">Additive mask broadcast over [batch, heads, length, length].</param>
    internal Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor keyMask)
    {
        if (!training || _dropoutProbability == 0 || q.device_type != DeviceType.CPU)
        {
            return functional.scaled_dot_product_attention(q, k, v, keyMask, training ? _dropoutProbability : 0.0);
        }

        // The scale goes on q, d wide, rather than on the length-by-length scores.
        using var scaled = q.mul(1 / Math.Sqrt(q.shape[^1]));
        using var keys = k.transpose(-2, -1);
        using var scores = scaled.matmul(keys);
        scores.add_(keyMask);
        using var probabilities = scores.softmax(-1);
        using var dropped = _dropout.forward(probabilities);
        return dropped.matmul(v);
    }
}
