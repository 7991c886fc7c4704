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
/// <para>
/// The setting is the whole process's (SQLite, ONNX Runtime and the web server allocate through the same malloc), and
/// its cost is memory: freed blocks stay with the process for reuse. Each malloc arena (glibc makes up to eight per
/// core, for threads that allocate at once) keeps up to <see cref="TrimThreshold"/> free at the top of its heap, and
/// a freed block below a live one is not given back at all. Threads other than the first allocate from heaps of at
/// most 64 MB, so for them blocks above that are still mapped afresh. Older glibc releases refuse a threshold above
/// 32 MB (Debian 12's 2.36 takes 128 MB); with them the threshold is 32 MB.
/// </para>
/// <para>
/// The app gives the memory back between jobs: the job runner calls <see cref="Release"/> when a job ends and
/// <see cref="Hold"/> when the next one starts (before the first job, the policy holds from libtorch's first use, a
/// live recommendation for one). The command-line tools hold it until they exit.
/// </para>
/// An operator who sets MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES keeps their settings.
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>Blocks up to this size come from the heap: above glibc's own ceiling of 32 MB, so that the attention
    /// probabilities of long histories (40 MB for the demo's longest batches) are reused too.</summary>
    public const int MmapThreshold = 128 << 20;

    /// <summary>The threshold where glibc refuses <see cref="MmapThreshold"/> (older releases): the most they accept.</summary>
    public const int OlderGlibcMmapThreshold = 32 << 20;

    /// <summary>Free memory at the top of a heap kept for reuse before it is given back (twice the threshold above, as
    /// glibc's own adjustment keeps it).</summary>
    public const int TrimThreshold = 256 << 20;

    // glibc's default trim threshold (M_TRIM_THRESHOLD, 128 KB).
    private const int GlibcTrimThreshold = 128 << 10;

    // glibc's malloc.h.
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    private static readonly string[] GlibcVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];

    // Whether Tune applied the policy (and so Release and Hold may change the trim threshold).
    private static volatile bool _applied;

    /// <summary>Applies the policy above on Linux; returns what was done, for the log.</summary>
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

        int threshold;
        try
        {
            threshold = NativeMethods.Mallopt(MMmapThreshold, MmapThreshold) == 1 ? MmapThreshold
                : NativeMethods.Mallopt(MMmapThreshold, OlderGlibcMmapThreshold) == 1 ? OlderGlibcMmapThreshold
                : 0;
            if (threshold == 0 || NativeMethods.Mallopt(MTrimThreshold, TrimThreshold) != 1)
            {
                // musl's mallopt, for one, accepts nothing.
                return "native heap left as is: the C library's mallopt refused the thresholds";
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return $"native heap left as is: no mallopt in the C library ({e.Message})";
        }

        _applied = true;
        return $"native heap: blocks up to {threshold >> 20} MB from the heap, up to {TrimThreshold >> 20} MB of it kept free for reuse";
    }

    /// <summary>
    /// For a pause in the work (the app between jobs): glibc's own trim threshold again, so that each malloc arena gives
    /// the free top of its heap back at its next free of a large block, and at once what <c>malloc_trim</c> can give
    /// back (the first thread's heap top, and the free pages inside every arena's free blocks; it leaves other
    /// arenas' heap tops alone). <see cref="Hold"/> restores the policy for the next piece of work. Nothing changes
    /// where the policy was not applied (not Linux, or the operator's own glibc settings). True when memory was given
    /// back at once.
    /// </summary>
    public static bool Release()
    {
        if (!_applied)
        {
            return false;
        }

        // glibc takes any trim threshold (Tune's call had it take one already).
        _ = NativeMethods.Mallopt(MTrimThreshold, GlibcTrimThreshold);
        return NativeMethods.MallocTrim(0) == 1;
    }

    /// <summary>Keeps freed memory for reuse again, as <see cref="Tune"/> set it, after a <see cref="Release"/>.</summary>
    public static void Hold()
    {
        if (_applied)
        {
            _ = NativeMethods.Mallopt(MTrimThreshold, TrimThreshold);
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "mallopt")]
        internal static partial int Mallopt(int parameter, int value);

        [LibraryImport("libc", EntryPoint = "malloc_trim")]
        internal static partial int MallocTrim(nuint pad);
    }
}
