using TorchSharp;
using static TorchSharp.torch;

namespace BlazorRecs.Core.Torch;

/// <summary>Direct access to the memory of CPU tensors, for the few loops written in managed code.</summary>
internal static class HostMemory
{
    /// <summary>
    /// The address of a contiguous float32 CPU tensor's first element, valid while the tensor (or its storage) lives
    /// and is not resized.
    /// </summary>
    /// <exception cref="ArgumentException">Not a contiguous float32 tensor on the CPU.</exception>
    public static nint Floats(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU || tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous())
        {
            throw new ArgumentException($"needs a contiguous float32 CPU tensor, got a {(tensor.is_contiguous() ? "" : "non-contiguous ")}{tensor.dtype} one on {tensor.device}", nameof(tensor));
        }

        // Taking the storage makes a second handle on the tensor, which the Storage object does not free: the scope does.
        using (NewDisposeScope())
        using (var storage = tensor.storage<float>())
        {
            return storage.data_ptr() + (nint)(tensor.storage_offset() * sizeof(float));
        }
    }

    /// <summary>The floats at <paramref name="address"/> + <paramref name="from"/>, <paramref name="length"/> of them.</summary>
    public static unsafe Span<float> Span(nint address, int from, int length) => new((float*)address + from, length);
}
