using BlazorRecs.Core.Torch;

namespace BlazorRecs.Core.Tests.Torch;

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
}
