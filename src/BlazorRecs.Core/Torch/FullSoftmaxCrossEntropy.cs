using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Torch;

/// <summary>
/// Softmax cross-entropy over a large output layer (hidden states scored against every item), with its forward and
/// backward written out by hand and then handed to autograd at the layer's inputs.
/// <para>
/// Why: the layer is most of a BERT4Rec training step (a [masked x items] score matrix, 232 x 12,101 on Amazon Beauty,
/// against a 64-wide encoder). Through autograd, <c>cross_entropy</c> keeps the scores, their log-softmax and a
/// one-hot gradient as separate full-size tensors and passes over them several times. Here the gradient of the summed
/// loss with respect to the scores is the softmax minus the one-hot labels, so one softmax pass produces it, in place
/// of the probabilities; the two matmuls that carry it back to the states and the items follow at once.
/// </para>
/// The loss itself comes from the same pass without a log of a possibly underflowed probability: for each row,
/// logsumexp = the row's top score - log of its top probability, which is at least 1 / items.
/// </summary>
internal static class FullSoftmaxCrossEntropy
{
    /// <summary>
    /// The loss (sum over rows r of -log softmax(states · itemsᵀ + bias)[r, labels[r]]) / <paramref name="divisor"/>,
    /// backpropagated from <paramref name="states"/>, <paramref name="items"/> and <paramref name="bias"/> through
    /// whatever graph produced them (gradients accumulate into the parameters as <c>loss.backward()</c> would).
    /// </summary>
    /// <param name="states">[M, hidden].</param>
    /// <param name="items">[N, hidden].</param>
    /// <param name="bias">[N], or null for none.</param>
    /// <param name="labels">[M] item indices (int64).</param>
    /// <param name="divisor">What the summed loss is divided by (a mean over M when it is M).</param>
    /// <param name="lap">Told, for timing, when the layer's own work is done and autograd's backward begins.</param>
    /// <returns>The loss.</returns>
    public static double Backward(Tensor states, Tensor items, Tensor? bias, Tensor labels, double divisor, Action<string>? lap = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        using var scope = NewDisposeScope();
        double loss;
        Tensor gradStates, gradItems;
        Tensor? gradBias = null;
        using (no_grad())
        {
            var s = states.detach();
            var w = items.detach();
            var scores = bias is null ? s.matmul(w.t()) : addmm(bias.detach(), s, w.t(), 1, 1);
            var rows = arange(s.shape[0], dtype: ScalarType.Int64, device: s.device);
            // Maxima without their positions (amax is several times faster than max here): the top score and the top
            // probability belong to the same item.
            var topScore = scores.amax(1);
            var labelScore = scores.index(rows, labels);
            var probabilities = scores.softmax(1);
            var logSumExp = topScore - probabilities.amax(1).log();
            loss = (logSumExp - labelScore).sum().item<float>() / divisor;
            scores.Dispose();

            // d(sum of losses)/d(scores) = softmax - one-hot, built in place of the probabilities.
            var gradient = probabilities;
            gradient.index_put_(gradient.index(rows, labels) - 1, rows, labels);
            double scale = 1 / divisor;
            gradStates = gradient.matmul(w).mul_(scale);
            gradItems = gradient.t().matmul(s).mul_(scale);
            if (bias is not null)
            {
                gradBias = gradient.sum([0]).mul_(scale);
            }
        }

        lap?.Invoke("output layer: logits, softmax and their gradients");
        var roots = new List<Tensor>();
        var grads = new List<Tensor>();
        foreach (var (root, grad) in new[] { (states, gradStates), (items, gradItems), (bias, gradBias) })
        {
            if (root is not null && grad is not null && root.requires_grad)
            {
                roots.Add(root);
                grads.Add(grad);
            }
        }

        if (roots.Count > 0)
        {
            autograd.backward(roots, grads);
        }

        return loss;
    }
}
