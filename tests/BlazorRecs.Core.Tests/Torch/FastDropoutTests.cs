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
    public void A_training_forward_outside_any_dispose_scope_leaves_only_its_output_alive()
    {
        using var dropout = new FastDropout(0.3, seed: 3);
        dropout.train();
        using var input = ones(40, 50);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var output = dropout.forward(input);

        // The mask and any handle taken on its memory are freed now, not when the garbage collector finds them.
        Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        output.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
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
    public void Masks_are_xoshiro256_star_star_lanes_seeded_per_call_and_chunk()
    {
        using var scope = NewDisposeScope();
        const ulong Seed = 21;
        using var dropout = new FastDropout(0.25, Seed);
        dropout.train();
        // Two full chunks of 65,536 elements and a ragged third.
        const int Chunk = 1 << 16;
        var kept = dropout.forward(ones(2 * Chunk + 301)).ne(0);

        // The reference, in scalar arithmetic: the module's generator gives this call's seed; chunk k seeds four
        // lanes from it; each step of a lane gives four 16-bit draws, lanes in order; a draw under 0.25 * 65536 drops.
        ulong state = Seed;
        var module = Xoshiro(ref state);
        ulong callSeed = Next(module);
        foreach (int chunk in new[] { 0, 1, 2 })
        {
            ulong chunkState = callSeed ^ ((ulong)chunk * 0xD1B54A32D192ED03UL);
            var lanes = Enumerable.Range(0, 4).Select(_ => new ulong[4]).ToArray();
            for (int word = 0; word < 4; word++)
            {
                for (int lane = 0; lane < 4; lane++)
                {
                    lanes[lane][word] = SplitMix(ref chunkState);
                }
            }

            var expected = new List<bool>();
            // Sixteen steps: a wrong rotation or shift shows only after a few.
            for (int step = 0; step < 16; step++)
            {
                ulong[] results = [.. lanes.Select(Next)];
                for (int e = 0; e < 16; e++)
                {
                    expected.Add((ushort)(results[e / 4] >> (16 * (e % 4))) >= 16384);
                }
            }

            bool[] actual = kept.narrow(0, chunk * Chunk, expected.Count).data<bool>().ToArray();
            Assert.Equal(expected, actual);
        }

        // Chunks are not copies of one another.
        Assert.False(kept.narrow(0, 0, Chunk).eq(kept.narrow(0, Chunk, Chunk)).all().item<bool>());
    }

    // xoshiro256** on a state of four words (s0..s3), seeded through splitmix64, and one step of it.
    private static ulong[] Xoshiro(ref ulong seed) => [SplitMix(ref seed), SplitMix(ref seed), SplitMix(ref seed), SplitMix(ref seed)];

    private static ulong Next(ulong[] s)
    {
        ulong result = ulong.RotateLeft(s[1] * 5, 7) * 9;
        ulong t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = ulong.RotateLeft(s[3], 45);
        return result;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
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
