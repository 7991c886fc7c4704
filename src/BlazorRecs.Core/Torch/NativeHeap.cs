using System.Runtime.InteropServices;

namespace BlazorRecs.Core.Torch;

/// <summary>
/// How glibc's malloc keeps the large blocks libtorch allocates for its tensors on the CPU.
/// <para>
/// Why: by default glibc maps blocks above a threshold (which it raises, at most to 32 MB, as such blocks are freed)
/// straight from the kernel and unmaps them when freed, and gives the top of its heap back as soon as more than twice
/// that is free. Each new mapping then faults its pages in one by one: a fresh 40 MB tensor (BERT4Rec's attention
/// probabilities for 128 histories of 200 tracks) cost about 15 ms of page faults against 2.5 ms for the same
/// product written into reused memory. Serving blocks up to 128 MB from the heap and keeping up to 256 MB of it free
/// made <c>bench train</c> on the demo 0-9% faster in four alternating pairs, and left Amazon Beauty's shorter
/// histories as they were (README, "Training throughput").
/// </para>
/// The cost is memory: up to <see cref="TrimThreshold"/> of freed heap per malloc arena stays with the process rather
/// than going back to the system. An operator who sets glibc's own variables (MALLOC_MMAP_THRESHOLD_,
/// MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES) keeps their settings.
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>Blocks up to this size come from the heap: above glibc's own ceiling of 32 MB, so that the attention
    /// probabilities of long histories (40 MB for the demo's longest batches) are reused too.</summary>
    public const int MmapThreshold = 128 << 20;

    /// <summary>Free memory at the top of a heap kept for reuse before it is given back (twice the threshold above, as
    /// glibc's own adjustment keeps it).</summary>
    public const int TrimThreshold = 256 << 20;

    // glibc's malloc.h.
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    private static readonly string[] GlibcVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];

    /// <summary>Applies the policy above where the C library is glibc; returns what was done, for the log.</summary>
    /// <param name="environment">Reads an environment variable (the process's own by default).</param>
    public static string Tune(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!OperatingSystem.IsLinux())
        {
            return "native heap left as is: not Linux";
        }

        if (GlibcVariables.FirstOrDefault(v => environment(v) is not null) is { } set)
        {
            return $"native heap left as is: {set} is set in the environment";
        }

        try
        {
            if (NativeMethods.Mallopt(MMmapThreshold, MmapThreshold) != 1 || NativeMethods.Mallopt(MTrimThreshold, TrimThreshold) != 1)
            {
                return "native heap left as is: mallopt refused the thresholds";
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return $"native heap left as is: no mallopt in the C library ({e.Message})";
        }

        return $"native heap: blocks up to {MmapThreshold >> 20} MB from the heap, up to {TrimThreshold >> 20} MB of it kept free for reuse";
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "mallopt")]
        internal static partial int Mallopt(int parameter, int value);
    }
}
