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

    /// <summary>
    /// Runs <paramref name="body"/> over <paramref name="count"/> elements in chunks, side by side on the thread pool,
    /// or on the calling thread when there is only one chunk.
    /// </summary>
    /// <param name="count">Elements in all.</param>
    /// <param name="chunkElements">Elements a chunk (the last one may be shorter).</param>
    /// <param name="body">Called with the chunk's index, its first element and its length.</param>
    /// <param name="threads">Most chunks run at once (the thread pool's choice when null).</param>
    public static void ForEachChunk(int count, int chunkElements, Action<int, int, int> body, int? threads = null)
    {
        int chunks = (count + chunkElements - 1) / chunkElements;
        if (chunks <= 1)
        {
            body(0, 0, count);
            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads ?? -1 };
        Parallel.For(0, chunks, options, k => body(k, k * chunkElements, Math.Min(chunkElements, count - k * chunkElements)));
    }

    /// <summary>The floats at <paramref name="address"/> + <paramref name="from"/>, <paramref name="length"/> of them.</summary>
    public static unsafe Span<float> Span(nint address, int from, int length) => new((float*)address + from, length);
}
