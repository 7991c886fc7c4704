using BlazorRecs.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Torch;

public sealed class FullSoftmaxCrossEntropyTests
{
    // A small graph in front of the layer, as in BERT4Rec: the states come from the item vectors through a trained
    // matrix, so the gradients of both inputs meet in the same parameters.
    private sealed record Graph(Tensor Table, Tensor Mix, Tensor Bias, Tensor Labels)
    {
        public static Graph Create(int seed, float scale = 1)
        {
            manual_seed(seed);
            return new Graph(
                (randn(40, 8) * scale).requires_grad_(true),
                randn(8, 8).requires_grad_(true),
                randn(40).requires_grad_(true),
                randint(0, 40, 13));
        }

        public Tensor States() => Table.index_select(0, arange(13)).matmul(Mix);

        public Tensor[] Gradients() => [.. new[] { Table, Mix, Bias }.Select(p => p.grad is null ? zeros_like(p) : p.grad.clone())];

        public void ZeroGradients()
        {
            foreach (var parameter in new[] { Table, Mix, Bias })
            {
                parameter.grad?.zero_();
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Loss_and_gradients_equal_autograd_cross_entropy(bool withBias)
    {
        using var scope = NewDisposeScope();
        var graph = Graph.Create(seed: 3);
        var logits = graph.States().matmul(graph.Table.t());
        if (withBias)
        {
            logits = logits + graph.Bias;
        }

        var expected = nn.functional.cross_entropy(logits, graph.Labels, reduction: nn.Reduction.Sum) / 7.5;
        expected.backward();
        var expectedGradients = graph.Gradients();
        graph.ZeroGradients();

        double loss = FullSoftmaxCrossEntropy.Backward(graph.States(), graph.Table, withBias ? graph.Bias : null, graph.Labels, divisor: 7.5);

        Assert.Equal(expected.item<float>(), loss, 1e-4);
        var gradients = graph.Gradients();
        for (int i = 0; i < (withBias ? 3 : 2); i++)
        {
            Assert.True(gradients[i].allclose(expectedGradients[i], rtol: 1e-4, atol: 1e-6), $"gradient {i} differs");
        }

        if (!withBias)
        {
            Assert.Equal(0, gradients[2].abs().max().item<float>());
        }
    }

    [Fact]
    public void The_loss_stays_exact_when_the_true_items_probability_underflows()
    {
        using var scope = NewDisposeScope();
        // Scores spread over hundreds: most true items get a softmax probability of exactly 0 in float32.
        var graph = Graph.Create(seed: 4, scale: 30);
        var logits = graph.States().matmul(graph.Table.t());
        var expected = nn.functional.cross_entropy(logits, graph.Labels, reduction: nn.Reduction.Sum);
        Assert.True(logits.softmax(1).gather(1, graph.Labels.unsqueeze(1)).eq(0).any().item<bool>(), "the case needs an underflowed probability");

        double loss = FullSoftmaxCrossEntropy.Backward(graph.States(), graph.Table, null, graph.Labels, divisor: 1);

        Assert.True(double.IsFinite(loss));
        Assert.Equal(1, loss / expected.item<float>(), 4);
    }

    [Fact]
    public void Gradients_accumulate_like_backward_and_inputs_without_gradients_are_left_alone()
    {
        using var scope = NewDisposeScope();
        var graph = Graph.Create(seed: 5);
        FullSoftmaxCrossEntropy.Backward(graph.States(), graph.Table, graph.Bias, graph.Labels, divisor: 2);
        var once = graph.Gradients();

        FullSoftmaxCrossEntropy.Backward(graph.States(), graph.Table, graph.Bias, graph.Labels, divisor: 2);
        var twice = graph.Gradients();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(twice[i].allclose(once[i] * 2, rtol: 1e-5, atol: 1e-7), $"gradient {i} did not accumulate");
        }

        // Items that need no gradient (frozen vectors): only the states' graph gets one, the same as autograd's.
        graph.ZeroGradients();
        var frozen = graph.Table.detach().clone();
        (nn.functional.cross_entropy(graph.States().matmul(frozen.t()), graph.Labels, reduction: nn.Reduction.Sum) / 2).backward();
        var expected = graph.Gradients();
        graph.ZeroGradients();
        FullSoftmaxCrossEntropy.Backward(graph.States(), frozen, null, graph.Labels, divisor: 2);
        var gradients = graph.Gradients();
        Assert.True(gradients[0].allclose(expected[0], rtol: 1e-4, atol: 1e-6), "the table's gradient through the states differs");
        Assert.True(gradients[1].allclose(expected[1], rtol: 1e-4, atol: 1e-6), "the mixing matrix's gradient differs");
        Assert.True(gradients[1].abs().sum().item<float>() > 0);
    }
}
