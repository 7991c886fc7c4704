using System.Runtime.InteropServices;
using BlazorRecs.Core.Tests.Support;
using BlazorRecs.Core.Torch;

namespace BlazorRecs.Core.Tests.Torch;

[Collection(ProcessMemoryCollection.Name)]
public sealed class NativeHeapTests
{
    [Fact]
    public void Glibc_accepts_the_thresholds()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mallopt is glibc's");

        string outcome = NativeHeap.Tune(_ => null);

        // mallopt answers 0 for a value it refuses, and then the outcome says so. Debian 12's glibc (2.36) takes
        // 128 MB; older releases take only 32 MB.
        Assert.Contains(outcome, new[] { 128, 32 }.Select(mb => $"native heap: blocks up to {mb} MB from the heap, up to 256 MB of it kept free for reuse"));
    }

    [Theory]
    [InlineData("MALLOC_MMAP_THRESHOLD_")]
    [InlineData("MALLOC_TRIM_THRESHOLD_")]
    [InlineData("GLIBC_TUNABLES")]
    public void An_operators_glibc_settings_are_kept(string variable)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mallopt is glibc's");

        string outcome = NativeHeap.Tune(name => name == variable ? "1" : null);

        Assert.Equal($"native heap left as is: {variable} is set in the environment", outcome);
    }

    // Resident memory, as the kernel counts it now (/proc/self/statm: pages).
    private static long Resident() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;

    [Fact]
    public void Memory_freed_under_the_policy_stays_with_the_process_until_it_is_released()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the policy is glibc's");
        Assert.StartsWith("native heap: blocks up to", NativeHeap.Tune(_ => null));
        const long Mb = 1 << 20;
        var ones = Enumerable.Repeat((byte)1, 1 << 20).ToArray();

        // A 48 MB block, written so that its pages are resident, then freed; what is resident then.
        long Cycle()
        {
            nint block = Marshal.AllocHGlobal((int)(48 * Mb));
            for (int offset = 0; offset < 48; offset++)
            {
                Marshal.Copy(ones, 0, block + (nint)(offset * Mb), ones.Length);
            }

            Marshal.FreeHGlobal(block);
            return Resident();
        }

        // The test host's other threads allocate from the same malloc arenas, and a block of theirs that lands above
        // ours keeps the heap's top from shrinking: a few attempts, each starting with no free memory resident (a
        // cycle without the policy, then a release).
        var attempts = new List<string>();
        try
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                NativeHeap.Release();
                Cycle();
                NativeHeap.Release();

                NativeHeap.Hold();
                long before = Resident();
                long held = Cycle();

                // Released, the heap gives its free top back at its next free of a large block.
                NativeHeap.Release();
                long released = Cycle();
                attempts.Add($"{before / Mb} MB before, {held / Mb} MB with the block freed under the policy, {released / Mb} MB freed after a release");
                if (held - before >= 32 * Mb && held - released >= 32 * Mb)
                {
                    return;
                }
            }
        }
        finally
        {
            NativeHeap.Hold();
        }

        Assert.Fail("the freed 48 MB should stay resident under the policy and go back after a release: " + string.Join("; ", attempts));
    }
}
