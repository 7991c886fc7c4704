using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace BlazorRecs.Core.Media;

/// <summary>An external tool failed: could not start, exited non-zero, or ran past its timeout.</summary>
public sealed class ExternalProcessException : Exception
{
    /// <inheritdoc />
    public ExternalProcessException() { }

    /// <inheritdoc />
    public ExternalProcessException(string message) : base(message) { }

    /// <inheritdoc />
    public ExternalProcessException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The process's exit code, or null when it never ran to an exit (not found, timed out).</summary>
    public int? ExitCode { get; init; }

    /// <summary>The tail of what the process wrote to stderr.</summary>
    public string StandardError { get; init; } = "";
}

/// <summary>
/// Runs external tools (ffmpeg, ffprobe, fluidsynth) by house style 9: no shell, an argument list, both pipes
/// drained, a semaphore capping concurrency, and a timeout or cancellation that kills the whole process tree.
/// </summary>
public sealed class ExternalProcessRunner : IDisposable
{
    private const int StderrTailChars = 4000;
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a runner allowing <paramref name="maxConcurrency"/> processes at once.</summary>
    public ExternalProcessRunner(int maxConcurrency, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _timeout = timeout;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> and hands its stdout stream to <paramref name="readStdout"/> while stderr is
    /// collected. Throws <see cref="ExternalProcessException"/> on a non-zero exit, with stderr in the message.
    /// </summary>
    public async Task<T> RunAsync<T>(
        string fileName,
        IEnumerable<string> arguments,
        Func<Stream, CancellationToken, Task<T>> readStdout,
        CancellationToken cancellationToken,
        TimeSpan? timeout = null)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await RunCoreAsync(fileName, arguments, readStdout, timeout ?? _timeout, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Runs a tool and returns its stdout as text.</summary>
    public Task<string> RunForTextAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
        => RunAsync(fileName, arguments, async (stdout, ct) =>
        {
            using var reader = new StreamReader(stdout, Encoding.UTF8, leaveOpen: true);
            return await reader.ReadToEndAsync(ct);
        }, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private static async Task<T> RunCoreAsync<T>(
        string fileName,
        IEnumerable<string> arguments,
        Func<Stream, CancellationToken, Task<T>> readStdout,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ExternalProcessException($"Could not start '{fileName}': {ex.Message}. Is it installed (./run.sh installs it)?", ex);
        }

        // Nothing is ever fed on stdin; closing it stops tools that would wait for input.
        process.StandardInput.Close();

        using var timeoutSource = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var stderr = new StringBuilder();
        Task stderrPump = PumpStderrAsync(process.StandardError, stderr);
        try
        {
            Stream stdout = process.StandardOutput.BaseStream;
            T result = await readStdout(stdout, linked.Token);
            // Drain anything the reader left so the child never blocks on a full pipe before exiting.
            if (stdout.CanRead)
            {
                await stdout.CopyToAsync(Stream.Null, linked.Token);
            }

            await process.WaitForExitAsync(linked.Token);
            await stderrPump;
            if (process.ExitCode != 0)
            {
                string tail = Tail(stderr);
                throw new ExternalProcessException(
                    $"'{Path.GetFileName(fileName)}' exited with code {process.ExitCode}: {tail}")
                {
                    ExitCode = process.ExitCode,
                    StandardError = tail,
                };
            }

            return result;
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExternalProcessException(
                $"'{Path.GetFileName(fileName)}' ran longer than {timeout.TotalSeconds:0} s and was killed: {Tail(stderr)}")
            {
                StandardError = Tail(stderr),
            };
        }
        catch (Exception) when (!process.HasExited)
        {
            // The stdout reader failed (malformed output, say): do not leave the child running.
            Kill(process);
            throw;
        }
    }

    private static async Task PumpStderrAsync(StreamReader reader, StringBuilder sink)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (sink)
            {
                sink.Append(buffer, 0, read);
                if (sink.Length > 4 * StderrTailChars)
                {
                    sink.Remove(0, sink.Length - StderrTailChars);
                }
            }
        }
    }

    private static string Tail(StringBuilder sink)
    {
        lock (sink)
        {
            string text = sink.ToString().Trim();
            return text.Length <= StderrTailChars ? text : text[^StderrTailChars..];
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }
}
