using System.Diagnostics;
using System.Globalization;
using System.Text;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Importing;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Core.Tests.Importing;

public sealed class ListeningLogImporterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("u1\tt1\t2019-01-05 12:00:01", true)]
    [InlineData("u1\tt1\t2019-01-05T12:00:01Z\t30000", true)]
    [InlineData("u1\tt1\t1546689601", true)]
    [InlineData("u1\tt1", false)]
    [InlineData("u1\tt1\tyesterday", false)]
    [InlineData("\tt1\t2019-01-05 12:00:01", false)]
    [InlineData("u1\tt1\t2019-01-05 12:00:01\t-4", false)]
    public void Rows_parse_or_say_why_not(string line, bool ok)
    {
        bool parsed = ListeningLogImporter.TryParse(line, out var row, out string? error);
        Assert.Equal(ok, parsed);
        if (ok)
        {
            Assert.Equal(new DateTimeOffset(2019, 1, 5, 12, 0, 1, TimeSpan.Zero), row.Timestamp);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
    }

    [Fact]
    public async Task A_100k_row_log_with_bad_rows_imports_the_good_ones_and_names_each_bad_line()
    {
        await using var host = await TestHost.StartAsync();
        int[] durations = [40_000, 200_000];
        await using (var db = await host.DbAsync())
        {
            var artist = new Artist { Name = "A" };
            db.Tracks.AddRange(
                new Track { Title = "one", Artist = artist, DurationMs = durations[0], AudioPath = "/music/x/t1.mp3", ExternalId = "t1", Source = TrackSource.Import },
                new Track { Title = "two", Artist = artist, DurationMs = durations[1], AudioPath = "/music/y/t2.flac", ExternalId = "t2", Source = TrackSource.Import });
            await db.SaveChangesAsync(Ct);
        }

        string log = Path.Combine(host.DataDirectory, "log.tsv");
        var text = new StringBuilder("user_id\ttrack_id\ttimestamp\tms_played\n");
        var start = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        int good = 0, bad = 0;
        for (int i = 0; i < 100_000; i++)
        {
            if (i % 997 == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"u{i % 50}\tno-such-track\t{start:yyyy-MM-dd HH:mm:ss}\n");
                bad++;
            }
            else if (i % 991 == 0)
            {
                text.Append("garbage line without tabs\n");
                bad++;
            }
            else
            {
                // Alternate between matching by id and by path; short listens become skips.
                string track = i % 2 == 0 ? "t1" : "y/t2.flac";
                text.Append(CultureInfo.InvariantCulture, $"u{i % 50}\t{track}\t{start.AddMinutes(i):yyyy-MM-dd HH:mm:ss}\t{(i % 10 == 0 ? 5_000 : 35_000)}\n");
                good++;
            }
        }

        await File.WriteAllTextAsync(log, text.ToString(), Ct);
        var importer = host.Services.GetRequiredService<ListeningLogImporter>();

        var clock = Stopwatch.StartNew();
        var report = await importer.ImportAsync(log, new Progress<JobProgress>(), Ct);
        TestContext.Current.SendDiagnosticMessage($"imported {report.Added} rows in {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(good, report.Added);
        Assert.Equal(bad, report.Skipped);
        Assert.Contains(report.Problems, p => p.StartsWith($"{log}:2:", StringComparison.Ordinal) && p.Contains("unknown track", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("3 tab-separated columns", StringComparison.Ordinal));
        Assert.True(report.Problems.Count <= ImportReport.MaxProblemsKept);
        await using var check = await host.DbAsync();
        Assert.Equal(good, await check.Plays.CountAsync(Ct));
        Assert.Equal(50, await check.Listeners.CountAsync(l => l.Kind == ListenerKind.Imported, Ct));
        Assert.InRange(await check.Plays.CountAsync(p => p.IsSkip, Ct), good / 10 - 2, good / 10 + 2);
        Assert.True(await check.Plays.AllAsync(p => p.Source == PlaySource.Import, Ct));
    }

    [Fact]
    public async Task A_missing_log_file_is_a_clear_error()
    {
        await using var host = await TestHost.StartAsync();
        var importer = host.Services.GetRequiredService<ListeningLogImporter>();
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => importer.ImportAsync("/nonexistent/log.tsv", new Progress<JobProgress>(), Ct));
        Assert.Contains("/nonexistent/log.tsv", ex.Message, StringComparison.Ordinal);
    }
}
