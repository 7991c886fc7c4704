using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Torch;

/// <summary>
/// Adam (Kingma and Ba 2015) as libtorch and TorchSharp's <c>optim.Adam</c> compute it, without weight decay or
/// AMSGrad, for float32 parameters on the CPU: each parameter's update (both moment estimates, the bias corrections
/// and the step) is one vectorised pass over its memory, written in managed code, split over libtorch's thread count
/// for large ones.
/// <para>
/// Why: TorchSharp's Adam runs eight libtorch operators a parameter (two of them allocating), so each parameter's
/// state is read and written several times over and a step pays operator overhead on every one of them. In
/// <c>bench train</c>'s split of a BERT4Rec step, its step took 1.9-3.5 ms (7-12%) on Amazon Beauty (a 12,101 x 64
/// item table) and 1.0-1.2 ms on the default demo; this one 0.6-1.1 ms and 0.25-0.29 ms.
/// </para>
/// Its parameter groups and options are <see cref="Adam"/>'s, so learning-rate schedulers work with it unchanged. It
/// keeps no optimizer state dictionary (the trainers checkpoint weights only), and it writes parameters without
/// bumping autograd's version counter, so a graph built before a step must not be backpropagated after it (the
/// trainers build a new one each step).
/// </summary>
internal sealed class FusedAdam : OptimizerHelper
{
    // Elements per task of the parallel update; smaller parameters are updated on the calling thread.
    private const int ChunkElements = 1 << 15;

    private readonly Dictionary<nint, Moments> _moments = [];

    /// <param name="parameters">Float32 CPU parameters.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the first moment estimate.</param>
    /// <param name="beta2">Decay of the second moment estimate.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <exception cref="ArgumentException">A parameter is not float32 on the CPU, or an option is out of range.</exception>
    public FusedAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lr);
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"betas must be in [0, 1), got {beta1} and {beta2}");
        }

        _defaults = new Adam.Options
        {
            LearningRate = lr, InitialLearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = 0, amsgrad = false, maximize = false,
        };
        _parameter_groups = [];
        add_param_group(new Adam.ParamGroup { Parameters = parameters });
    }

    /// <summary>Adam for parameters on <paramref name="device"/>: this one for float32 parameters on the CPU,
    /// TorchSharp's otherwise (CUDA, other types).</summary>
    public static optim.Optimizer For(Device device, IEnumerable<Parameter> parameters, double lr)
    {
        var all = parameters.ToList();
        return device.type == DeviceType.CPU && all.All(p => p.dtype == ScalarType.Float32) ? new FusedAdam(all, lr) : optim.Adam(all, lr);
    }

    public override void add_param_group(ParamGroup param_group)
    {
        var defaults = (Adam.Options)_defaults;
        param_group.Options ??= new Adam.Options();
        var options = (Adam.Options)param_group.Options;
        options.LearningRate ??= defaults.LearningRate;
        options.beta1 ??= defaults.beta1;
        options.beta2 ??= defaults.beta2;
        options.eps ??= defaults.eps;
        if (options.weight_decay is > 0 || options.amsgrad is true || options.maximize is true)
        {
            throw new ArgumentException("FusedAdam has no weight decay, AMSGrad or maximize", nameof(param_group));
        }

        options.InitialLearningRate = options.LearningRate!.Value;
        var parameters = param_group.Parameters.ToList();
        if (parameters.FirstOrDefault(p => p.device_type != DeviceType.CPU || p.dtype != ScalarType.Float32 || !p.is_contiguous()) is { } other)
        {
            throw new ArgumentException($"FusedAdam updates contiguous float32 CPU parameters, got a {other.dtype} one on {other.device}", nameof(param_group));
        }

        foreach (var parameter in parameters.Where(p => !_moments.ContainsKey(p.Handle)))
        {
            _moments[parameter.Handle] = new Moments(zeros_like(parameter).DetachFromDisposeScope(), zeros_like(parameter).DetachFromDisposeScope());
        }

        _parameter_groups.Add(param_group);
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<Adam.ParamGroup>(group =>
    {
        var options = (Adam.Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, lr = options.LearningRate!.Value;
        float eps = (float)options.eps!.Value;
        // As many threads as libtorch is given (TorchRuntime's setting).
        int threads = Math.Max(1, get_num_threads());
        foreach (var parameter in group.Parameters)
        {
            // Wrappers made here (this gradient's, a contiguous copy's) are freed by the step's dispose scope.
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            var moments = _moments[parameter.Handle];
            var gradient = grad.contiguous();
            nint p = HostMemory.Floats(parameter), g = HostMemory.Floats(gradient), m = HostMemory.Floats(moments.First), v = HostMemory.Floats(moments.Second);
            moments.Steps++;
            double correction1 = 1 - Math.Pow(beta1, moments.Steps), correction2 = 1 - Math.Pow(beta2, moments.Steps);
            var update = new Update(
                p, g, m, v, (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)(lr / correction1), (float)Math.Sqrt(correction2), eps);
            HostMemory.ForEachChunk(checked((int)parameter.numel()), ChunkElements, (_, from, length) => update.Run(from, length), threads);
        }
    }, closure);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var moments in _moments.Values)
            {
                moments.First.Dispose();
                moments.Second.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private sealed class Moments(Tensor first, Tensor second)
    {
        public Tensor First { get; } = first;

        public Tensor Second { get; } = second;

        public long Steps { get; set; }
    }

    // One parameter's update over a range of its elements, with libtorch's operations in libtorch's order:
    // m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g²; p -= lr / (1 - beta1^t) · m / (√v / √(1 - beta2^t) + eps).
    private readonly record struct Update(
        nint Parameter, nint Gradient, nint First, nint Second,
        float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float StepSize, float SqrtCorrection2, float Eps)
    {
        public void Run(int from, int length)
        {
            var p = HostMemory.Span(Parameter, from, length);
            var g = HostMemory.Span(Gradient, from, length);
            var m = HostMemory.Span(First, from, length);
            var v = HostMemory.Span(Second, from, length);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var beta1 = Vector256.Create(Beta1);
                var oneMinusBeta1 = Vector256.Create(OneMinusBeta1);
                var beta2 = Vector256.Create(Beta2);
                var oneMinusBeta2 = Vector256.Create(OneMinusBeta2);
                var stepSize = Vector256.Create(StepSize);
                var sqrtCorrection2 = Vector256.Create(SqrtCorrection2);
                var eps = Vector256.Create(Eps);
                for (; i + 8 <= length; i += 8)
                {
                    var gi = Vector256.Create<float>(g.Slice(i, 8));
                    var mi = Vector256.Create<float>(m.Slice(i, 8)) * beta1 + gi * oneMinusBeta1;
                    var vi = Vector256.Create<float>(v.Slice(i, 8)) * beta2 + gi * gi * oneMinusBeta2;
                    var denominator = Vector256.Sqrt(vi) / sqrtCorrection2 + eps;
                    var pi = Vector256.Create<float>(p.Slice(i, 8)) - stepSize * (mi / denominator);
                    mi.CopyTo(m.Slice(i, 8));
                    vi.CopyTo(v.Slice(i, 8));
                    pi.CopyTo(p.Slice(i, 8));
                }
            }

            for (; i < length; i++)
            {
                float mi = m[i] * Beta1 + g[i] * OneMinusBeta1;
                float vi = v[i] * Beta2 + g[i] * g[i] * OneMinusBeta2;
                m[i] = mi;
                v[i] = vi;
                p[i] -= StepSize * (mi / (MathF.Sqrt(vi) / SqrtCorrection2 + Eps));
            }
        }
    }
}
