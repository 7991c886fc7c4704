using System.Data.Common;
using Bunit;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Uploads;
using BlazorRecs.TestSupport;
using BlazorRecs.Web.Features.Playback;
using BlazorRecs.Web.Features.Similarity;
using BlazorRecs.Web.Features.Uploads;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>The Upload page in bUnit on the real analyser: a refused file and a failure inside the analysis each end
/// in a message on the page, nothing is left on disk, and the page takes the next file.</summary>
public sealed class UploadPageTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private readonly FailingDatabase _database = new();
    private readonly FakeLogCollector _log = new();
    private BlazorRecsAppFactory _app = default!;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx");
        _app = new BlazorRecsAppFactory(services: s => s.ConfigureDbContext<BlazorRecsDbContext>(o => o.AddInterceptors(_database)));
        var services = _app.Services;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton<ILoggerFactory>(new LoggerFactory([new FakeLoggerProvider(_log)]));
        _ctx.Services.AddScoped<PlayerState>();
        _ctx.Services.AddSingleton(services.GetRequiredService<UploadAnalyzer>());
        _ctx.Services.AddSingleton(services.GetRequiredService<UploadQueries>());
        _ctx.AddAuthorization();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void A_file_that_is_not_audio_is_refused_with_the_reason_and_leaves_nothing_behind()
    {
        var page = _ctx.Render<UploadPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("these are not the bytes of an MP3", "song.mp3"));

        page.WaitForAssertion(() => Assert.Contains("not a readable audio file", page.Find("[data-testid=upload-error]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(page.FindAll("[data-testid=upload-result]"));
        Assert.Empty(page.FindAll("[data-testid=upload-status]"));
        AssertNothingLeftBehind();
    }

    [Fact]
    public async Task A_failure_inside_the_analysis_is_shown_on_the_page_which_then_analyses_the_next_file()
    {
        string clip = Path.Combine(_app.DataDirectory, "clip.mp3");
        await _app.Services.GetRequiredService<Ffmpeg>().RunAsync(["-f", "lavfi", "-i", "sine=frequency=440:duration=3", clip], Ct);
        byte[] bytes = await File.ReadAllBytesAsync(clip, Ct);
        var page = _ctx.Render<UploadPage>();

        // The catalog's database fails while the backends look for the upload's neighbours: not a refusal of the
        // file, an error the page did not foresee. Before, it escaped the handler and ended the circuit.
        _database.Failing = true;
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(bytes, "first.mp3"));
        page.WaitForAssertion(() => Assert.Contains("could not be analysed", page.Find("[data-testid=upload-error]").TextContent, StringComparison.Ordinal), Patience);
        Assert.True(_database.Failures > 0);
        // The page names a reference, not the exception's text; the log has the exception under that reference.
        string shown = page.Find("[data-testid=upload-error]").TextContent;
        Assert.DoesNotContain("unreachable", shown, StringComparison.Ordinal);
        var logged = Assert.Single(_log.GetSnapshot(), r => r.Level >= LogLevel.Error);
        Assert.Contains("unreachable", logged.Exception?.ToString(), StringComparison.Ordinal);
        Assert.Contains($"reference {logged.GetStructuredStateValue("Reference")} ", shown, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=upload-result]"));
        AssertNothingLeftBehind();

        // The same page, the database back: the next file gets its answer, and the old error is gone.
        _database.Failing = false;
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(bytes, "second.mp3"));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=upload-result]").Count), Patience);
        Assert.Empty(page.FindAll("[data-testid=upload-error]"));
        Assert.Contains("second.mp3", page.Markup, StringComparison.Ordinal);
        AssertNothingLeftBehind();
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private void AssertNothingLeftBehind()
    {
        string incoming = Path.Combine(_app.DataDirectory, "uploads", "incoming");
        Assert.True(!Directory.Exists(incoming) || Directory.GetFiles(incoming).Length == 0,
            $"left in {incoming}: {string.Join(", ", Directory.Exists(incoming) ? Directory.GetFiles(incoming) : [])}");
    }

    public async ValueTask DisposeAsync()
    {
        await _ctx.DisposeAsync();
        if (_app is not null) // null when InitializeAsync skipped for want of the models
        {
            await _app.DisposeAsync();
        }
    }

    // Fails every command while Failing is set, as a lost database file or a full disk would.
    private sealed class FailingDatabase : DbCommandInterceptor
    {
        private int _failures;

        public volatile bool Failing;

        public int Failures => Volatile.Read(ref _failures);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
            => Failing ? throw Fail() : ValueTask.FromResult(result);

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
            => Failing ? throw Fail() : result;

        private InvalidOperationException Fail()
        {
            Interlocked.Increment(ref _failures);
            return new InvalidOperationException("the database is unreachable (test)");
        }
    }
}
