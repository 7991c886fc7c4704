using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Embeddings.Contrastive;

/// <summary>
/// The in-house encoder: four conv blocks (3x3 conv, batch norm, ReLU, 2x2 max pool; channels c, 2c, 4c, 8c), global
/// average pooling, a linear layer to 128 and L2 normalisation. Input: log-mel chunks [N, 1, bands, frames].
/// </summary>
public sealed class ContrastiveCnnNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>The embedding size.</summary>
    public const int OutputSize = 128;

    private readonly ModuleList<nn.Module<Tensor, Tensor>> _blocks = new();
    private readonly Linear _output;

    /// <summary>Builds the encoder with <paramref name="baseChannels"/> channels in its first block.</summary>
    public ContrastiveCnnNetwork(int baseChannels) : base(nameof(ContrastiveCnnNetwork))
    {
        int channels = 1;
        for (int b = 0; b < 4; b++)
        {
            int next = baseChannels << b;
            _blocks.Add(nn.Sequential(
                ("conv", nn.Conv2d(channels, next, 3, padding: 1, bias: false)),
                ("norm", nn.BatchNorm2d(next)),
                ("relu", nn.ReLU()),
                ("pool", nn.MaxPool2d(2))));
            channels = next;
        }

        _output = nn.Linear(channels, OutputSize);
        RegisterComponents();
    }

    /// <summary>Unit-length embeddings [N, 128] of log-mel chunks [N, 1, bands, frames].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var block in _blocks)
        {
            x = block.call(x);
        }

        var pooled = x.mean([2, 3]);
        return nn.functional.normalize(_output.call(pooled), p: 2, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// NT-Xent (the normalised temperature-scaled cross-entropy of SimCLR) over 2N unit vectors in which rows i and
    /// i + N are two views of the same track: each view must pick its twin out of the other 2N - 1 by cosine / T.
    /// </summary>
    public static Tensor NtXent(Tensor embeddings, double temperature)
    {
        long n2 = embeddings.shape[0], n = n2 / 2;
        if (n2 % 2 != 0 || n < 1)
        {
            throw new ArgumentException($"NT-Xent needs pairs of views, got {n2} rows.", nameof(embeddings));
        }

        using var scope = NewDisposeScope();
        var similarity = embeddings.matmul(embeddings.t()) / temperature;
        var self = eye(n2, dtype: ScalarType.Bool, device: embeddings.device);
        similarity = similarity.masked_fill(self, double.NegativeInfinity);
        var twins = cat([arange(n, n2, device: embeddings.device), arange(0, n, device: embeddings.device)]);
        return nn.functional.cross_entropy(similarity, twins).MoveToOuterDisposeScope();
    }
}
