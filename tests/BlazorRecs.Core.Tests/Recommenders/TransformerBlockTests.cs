using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Torch;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Recommenders;

/// <summary>
/// The attention written out for CPU training (so that its dropout is the fast one) against libtorch's fused
/// scaled-dot-product attention, which evaluation and CUDA use.
/// </summary>
[Collection(TorchTrainingCollection.Name)]
public sealed class TransformerBlockTests
{
    // [batch 2, heads 2, length 6, head width 8]; row 0 is left-padded by two positions.
    private static (Tensor Q, Tensor K, Tensor V, Tensor KeyMask) Inputs()
    {
        manual_seed(17);
        var q = randn(2, 2, 6, 8);
        var k = randn(2, 2, 6, 8);
        var v = randn(2, 2, 6, 8);
        var keyMask = zeros(2, 1, 1, 6);
        keyMask[0, 0, 0, TensorIndex.Slice(0, 2)] = tensor(-1e9f);
        return (q, k, v, keyMask);
    }

    // A block in training mode, attention dropout 0.3, its FastDropout seeded with 9.
    private static TransformerBlock TrainingBlock()
    {
        var block = new TransformerBlock(hidden: 16, heads: 2, feedForward: 32, dropout: 0.3, seed: 9);
        block.train();
        return block;
    }

    [Fact]
    public void Training_attention_on_the_cpu_drops_attention_probabilities_with_the_blocks_own_mask()
    {
        using var scope = NewDisposeScope();
        var (q, k, v, keyMask) = Inputs();
        using var block = TrainingBlock();
        // The block's dropout is a FastDropout seeded with the block's seed: a twin draws the same first mask.
        using var twin = new FastDropout(0.3, seed: 9);
        twin.train();
        var probabilities = (q.matmul(k.transpose(-2, -1)) / Math.Sqrt(8) + keyMask).softmax(-1);
        var expected = twin.forward(probabilities).matmul(v);

        var attended = block.Attend(q, k, v, keyMask);

        Assert.True(attended.allclose(expected, rtol: 0, atol: 1e-5));
        Assert.False(attended.allclose(probabilities.matmul(v), rtol: 0, atol: 1e-3), "some probabilities should have been dropped");
    }

    [Fact]
    public void Training_attention_on_the_cpu_is_the_fused_kernels_in_expectation()
    {
        using var scope = NewDisposeScope();
        var (q, k, v, keyMask) = Inputs();
        using var block = TrainingBlock();
        var expected = nn.functional.scaled_dot_product_attention(q, k, v, keyMask, 0.0);

        const int Calls = 3000;
        var sum = zeros_like(expected);
        double largestSingleDeviation = 0;
        for (int i = 0; i < Calls; i++)
        {
            using var once = block.Attend(q, k, v, keyMask);
            sum.add_(once);
            largestSingleDeviation = Math.Max(largestSingleDeviation, (once - expected).abs().max().item<float>());
        }

        // Inverted dropout is unbiased: the mean over calls converges on the undropped attention (0.017 away with
        // these seeds; leaving out the 1/sqrt(d) scale or the padding mask puts it about 1 away).
        var mean = sum / Calls;
        double meanDeviation = (mean - expected).abs().max().item<float>();
        Assert.True(meanDeviation < 0.1, $"mean over {Calls} calls is {meanDeviation:0.000} from the fused kernel's output");
        Assert.True(largestSingleDeviation > 0.3, "single calls should differ from the undropped output: probabilities were dropped");
    }

    [Fact]
    public void Without_dropout_or_in_evaluation_it_is_the_fused_kernel_and_padding_gets_no_attention()
    {
        using var scope = NewDisposeScope();
        var (q, k, v, keyMask) = Inputs();
        var expected = nn.functional.scaled_dot_product_attention(q, k, v, keyMask, 0.0);
        using var training = TrainingBlock();
        training.eval();
        Assert.True(training.Attend(q, k, v, keyMask).allclose(expected, rtol: 0, atol: 1e-6));

        // In evaluation nothing is dropped. Values at padded keys do not reach the output, in the written-out path
        // (training with dropout) too.
        training.train();
        var changed = v.clone();
        changed[0, TensorIndex.Colon, TensorIndex.Slice(0, 2)] = full(2, 2, 8, 1000f);
        using var again = TrainingBlock();
        var before = training.Attend(q, k, v, keyMask);
        var after = again.Attend(q, k, changed, keyMask);
        Assert.True(after[0].allclose(before[0], rtol: 0, atol: 1e-4));
    }
}
