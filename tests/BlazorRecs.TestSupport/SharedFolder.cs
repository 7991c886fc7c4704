namespace BlazorRecs.TestSupport;

/// <summary>
/// Finds ../shared (the read-only models, reference data and audio beside the checkout). Tests that need it call
/// <see cref="Require"/>: outside CI a missing folder skips them with the reason; in CI (CI=true) it fails them,
/// because there the folder is always present and a skip would hide a broken setup.
/// </summary>
public static class SharedFolder
{
    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>The absolute path of the shared folder, or null.</summary>
    public static string? Path => Root.Value;

    /// <summary>The absolute path of <paramref name="relative"/> inside the shared folder; skips or fails the test
    /// when it is absent.</summary>
    public static string Require(string relative)
    {
        string? root = Root.Value;
        string? full = root is null ? null : System.IO.Path.Combine(root, relative);
        if (full is not null && (File.Exists(full) || Directory.Exists(full)))
        {
            return full;
        }

        string reason = $"../shared/{relative} is not present (set BLAZORRECS_SHARED to the shared folder to run this test)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{reason}; in CI it must be.");
        }

        Assert.Skip(reason);
        return ""; // unreachable: Assert.Skip throws
    }

    private static string? Locate()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("BLAZORRECS_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv))
        {
            return System.IO.Path.GetFullPath(fromEnv);
        }

        // Walk up from the test binaries: the checkout is <x>/main and the shared folder is <x>/shared.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "models")))
            {
                return candidate;
            }
        }

        return null;
    }
}
