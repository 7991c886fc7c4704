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

        // 48 blocks of 1 MB, written so that their pages are resident, then freed; what is resident then.
        long Cycle()
        {
            var blocks = Enumerable.Range(0, 48).Select(_ => Marshal.AllocHGlobal(ones.Length)).ToArray();
            foreach (nint block in blocks)
            {
                Marshal.Copy(ones, 0, block, ones.Length);
            }

            foreach (nint block in blocks)
            {
                Marshal.FreeHGlobal(block);
            }

            return Resident();
        }

        try
        {
            // First a cycle without the policy and a second release, so that no free memory of earlier tests is
            // resident for the blocks to reuse.
            NativeHeap.Release();
            Cycle();
            NativeHeap.Release();

            NativeHeap.Hold();
            long before = Resident();
            long held = Cycle();
            Assert.True(held - before >= 24 * Mb, $"under the policy freed blocks stay resident: {before / Mb} MB before, {held / Mb} MB after");

            // Released, this thread's heap gives its free top back at its next free of a large block (here, the
            // last of the blocks): the 48 MB do not stay.
            NativeHeap.Release();
            long released = Cycle();
            Assert.True(held - released >= 24 * Mb, $"after a release they go back: {held / Mb} MB held, {released / Mb} MB after");
        }
        finally
        {
            NativeHeap.Hold();
        }
    }
}
