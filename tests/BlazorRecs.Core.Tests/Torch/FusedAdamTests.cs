using BlazorRecs.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Tests.Torch;

/// <summary>The one-pass Adam against TorchSharp's own, step by step, under the scheduler training uses.</summary>
public sealed class FusedAdamTests
{
    // Shapes: one larger than a parallel chunk (32,768 elements) and not a multiple of it, one with a tail after the
    // 8-wide vectors, one scalar-sized.
    private static readonly long[][] Shapes = [[300, 131], [5, 7], [3]];

    private static Parameter[] Parameters(int seed)
    {
        manual_seed(seed);
        return [.. Shapes.Select(shape => new Parameter(randn(shape)))];
    }

    // The same parameters twice, one copy under each optimizer.
    private static (Parameter[] Ours, Parameter[] Theirs, FusedAdam Fused, optim.Optimizer Reference) Twins(int seed, double lr)
    {
        var ours = Parameters(seed);
        var theirs = Parameters(seed);
        return (ours, theirs, new FusedAdam(ours, lr), optim.Adam(theirs, lr));
    }

    // A loss whose gradients differ from step to step and from parameter to parameter, so both moments move.
    private static Tensor Loss(Parameter[] parameters, int step) =>
        parameters.Select((p, i) => (p.pow(2) * (i + 1) + p.sin() * step).sum()).Aggregate((a, b) => a + b);

    // One step of each optimizer on its own copy of the parameters, from the same loss.
    private static void StepEach((optim.Optimizer Optimizer, Parameter[] Parameters)[] runs, Func<Parameter[], Tensor> loss)
    {
        foreach (var (optimizer, parameters) in runs)
        {
            optimizer.zero_grad();
            using var scope = NewDisposeScope();
            loss(parameters).backward();
            optimizer.step();
        }
    }

    [Fact]
    public void Its_steps_are_torchsharps_adam_steps_and_follow_the_plateau_schedulers_learning_rate()
    {
        using var scope = NewDisposeScope();
        var (ours, theirs, fused, reference) = Twins(seed: 5, lr: 0.05);
        using var disposeFused = fused;
        using var disposeReference = reference;
        var fusedSchedule = optim.lr_scheduler.ReduceLROnPlateau(fused, mode: "max", factor: 0.5, patience: 0);
        var referenceSchedule = optim.lr_scheduler.ReduceLROnPlateau(reference, mode: "max", factor: 0.5, patience: 0);

        for (int step = 1; step <= 12; step++)
        {
            StepEach([(fused, ours), (reference, theirs)], parameters => Loss(parameters, step));

            if (step % 4 == 0)
            {
                // A validation score that stops improving: the learning rate halves from the second call on.
                fusedSchedule.step(1.0);
                referenceSchedule.step(1.0);
            }

            for (int i = 0; i < ours.Length; i++)
            {
                double moved = (theirs[i] - Parameters(seed: 5)[i]).abs().max().item<float>();
                Assert.True(moved > 0.05, $"parameter {i} should have moved by step {step}");
                Assert.True(ours[i].allclose(theirs[i], rtol: 1e-5, atol: 1e-6),
                    $"parameter {i} after step {step}: largest difference {(ours[i] - theirs[i]).abs().max().item<float>()}");
            }
        }

        Assert.Equal(0.05 / 4, fused.ParamGroups.Single().LearningRate, 12);
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_left_alone_and_does_not_count_a_step()
    {
        using var scope = NewDisposeScope();
        var (ours, theirs, fused, reference) = Twins(seed: 6, lr: 0.01);
        using var disposeFused = fused;
        using var disposeReference = reference;
        var untouched = ours[1].detach().clone();

        // Two steps where only the first parameter has a gradient, then two where all have: the bias corrections
        // of the others must start from their own first step.
        for (int step = 1; step <= 4; step++)
        {
            StepEach([(fused, ours), (reference, theirs)], parameters => step <= 2 ? parameters[0].pow(2).sum() : Loss(parameters, step));

            if (step == 2)
            {
                Assert.True(ours[1].eq(untouched).all().item<bool>(), "no gradient, no update");
            }
        }

        for (int i = 0; i < ours.Length; i++)
        {
            Assert.True(ours[i].allclose(theirs[i], rtol: 1e-5, atol: 1e-6), $"parameter {i}");
        }
    }

    [Fact]
    public void It_refuses_what_it_does_not_compute()
    {
        using var scope = NewDisposeScope();
        var doubles = new Parameter(randn(4, dtype: ScalarType.Float64));
        Assert.Throws<ArgumentException>(() => new FusedAdam([doubles]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FusedAdam(Parameters(seed: 1), beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FusedAdam(Parameters(seed: 1), lr: -1));

        // The trainers' choice: this one for float32 CPU parameters, TorchSharp's Adam for anything else.
        using var forFloats = FusedAdam.For(CPU, Parameters(seed: 1), 1e-3);
        Assert.IsType<FusedAdam>(forFloats);
        using var forDoubles = FusedAdam.For(CPU, [doubles], 1e-3);
        Assert.IsNotType<FusedAdam>(forDoubles);
    }
}
