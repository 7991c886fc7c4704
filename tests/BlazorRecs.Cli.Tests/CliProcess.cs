using System.Diagnostics;

namespace BlazorRecs.Cli.Tests;

/// <summary>The CLI as built beside these tests (a project reference copies it here), run in a process of its own
/// with its data directory in the test's folder.</summary>
internal static class CliProcess
{
    public static async Task<CliRun> RunAsync(string directory, params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "blazorrecs.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.ArgumentList.Add(cli);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add($"--BlazorRecs:DataDirectory={DataDirectory(directory)}");
        using var process = Process.Start(start)!;
        // Killed with everything it started if the test is cancelled or the run outlasts a generous deadline.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(10));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The data directory the runs in <paramref name="directory"/> use.</summary>
    public static string DataDirectory(string directory) => Path.Combine(directory, "data");
}

/// <summary>What a CLI run left: its exit code and output.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
