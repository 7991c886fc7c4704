using System.Globalization;
using BlazorRecs.Core.Jobs;

namespace BlazorRecs.Cli.Commands;

/// <summary>Prints a job's progress on one line, at most a few times a second.</summary>
internal sealed class ConsoleProgress : IProgress<JobProgress>
{
    private readonly Lock _gate = new();
    private DateTime _last;

    public void Report(JobProgress value)
    {
        lock (_gate)
        {
            if (DateTime.UtcNow - _last < TimeSpan.FromMilliseconds(500) && value.Fraction < 1)
            {
                return;
            }

            _last = DateTime.UtcNow;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{value.Fraction,6:P1}] {value.Message}"));
        }
    }
}
