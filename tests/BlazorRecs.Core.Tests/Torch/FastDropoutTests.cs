using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Torch;

public sealed class FastDropoutTests
{
    [Fact]
    public void Training_drops_the_requested_share_and_scales_the_rest()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FastDropout(0.2, seed: 5);
        dropout.train();
        var input = full(200, 1001, 3.0f);

        var output = dropout.forward(input);

        Assert.Equal(0.2, dropout.DropProbability, 1e-4);
        double dropped = output.eq(0).sum().item<long>() / (double)input.numel();
        // 200,200 draws: the share's standard error is about 0.0009.
        Assert.InRange(dropped, 0.195, 0.205);
        var kept = output.masked_select(output.ne(0));
        Assert.Equal(3.0 / (1 - dropout.DropProbability), kept.min().item<float>(), 1e-5);
        Assert.Equal(3.0 / (1 - dropout.DropProbability), kept.max().item<float>(), 1e-5);
    }

    [Fact]
    public void Masks_differ_between_calls_and_repeat_for_a_seed()
    {
        using var scope = NewDisposeScope();
        Tensor[] Masks(ulong seed)
        {
            using var dropout = new FastDropout(0.5, seed);
            dropout.train();
            // An odd element count, so the last draw is a partial word.
            return [.. Enumerable.Range(0, 2).Select(_ => dropout.forward(ones(33, 7)).ne(0))];
        }

        var first = Masks(11);
        var again = Masks(11);
        var other = Masks(12);

        Assert.True(first[0].eq(again[0]).all().item<bool>() && first[1].eq(again[1]).all().item<bool>());
        Assert.False(first[0].eq(first[1]).all().item<bool>());
        Assert.False(first[0].eq(other[0]).all().item<bool>());
    }

    [Fact]
    public void Gradient_passes_only_through_kept_elements_with_the_same_scale()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FastDropout(0.3, seed: 2);
        dropout.train();
        var input = randn(64, 32).requires_grad_(true);

        var output = dropout.forward(input);
        output.sum().backward();

        // d(output)/d(input) is the mask times the scale: where the output kept an element, the gradient is the scale.
        var expected = output.detach().ne(0).to_type(ScalarType.Float32) / (1 - dropout.DropProbability);
        Assert.True(input.grad!.allclose(expected));
    }

    [Fact]
    public void Evaluation_and_zero_probability_pass_the_input_through()
    {
        using var scope = NewDisposeScope();
        var input = randn(16, 8);
        using var dropout = new FastDropout(0.4, seed: 1);
        dropout.eval();
        Assert.True(dropout.forward(input).eq(input).all().item<bool>());

        using var none = new FastDropout(0, seed: 1);
        none.train();
        Assert.True(none.forward(input).eq(input).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastDropout(1.0, seed: 1));
    }
}
