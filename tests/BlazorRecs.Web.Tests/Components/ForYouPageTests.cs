using System.Data.Common;
using Bunit;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Knn;
using BlazorRecs.Core.Recommenders.Popularity;
using BlazorRecs.Web.Features.Playback;
using BlazorRecs.Web.Features.Recommendations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>The For you page in bUnit, on the real app's services (catalog, listening, live recommendations).</summary>
public sealed class ForYouPageTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>, IAsyncDisposable
{
    private readonly BunitContext _ctx = new();
    private readonly FakeLogCollector _log = new();

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_list_ranks_again_after_a_counted_play_of_the_listener()
    {
        var page = await RenderAsync(fixture);

        // Only popularity is trained: the page switches to it. The persona heard the jazz track.
        page.WaitForAssertion(() => Assert.Equal(["Gear Shift", "Short Blues"], Titles(page)), Patience);
        Assert.Contains("pop", page.Find("[data-testid=for-you-summary]").TextContent, StringComparison.Ordinal);

        // A counted play of the rock track: it is heard now, so the page ranks again without it.
        await PlayAsync(fixture, fixture.Catalog.RockTrack);
        page.WaitForAssertion(() => Assert.Equal(["Short Blues"], Titles(page)), Patience);
    }

    [Fact]
    public async Task A_ranking_that_finishes_after_a_newer_one_is_not_shown()
    {
        var gate = new HistoryGate();
        await using var own = new CatalogAppFixture(new BlazorRecsAppFactory(
            services: s => s.ConfigureDbContext<BlazorRecsDbContext>(o => o.AddInterceptors(gate))));
        await own.InitializeAsync();
        var page = await RenderAsync(own);
        page.WaitForAssertion(() => Assert.Equal(["Gear Shift", "Short Blues"], Titles(page)), Patience);

        try
        {
            // Ranking A, after a counted replay of the jazz track: its history is read, then held before it is used.
            gate.HoldNext();
            await PlayAsync(own, own.Catalog.JazzTrack);
            await gate.Held.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            // Ranking B, after a play of the rock track, starts later and finishes first.
            await PlayAsync(own, own.Catalog.RockTrack);
            page.WaitForAssertion(() => Assert.Equal(["Short Blues"], Titles(page)), Patience);

            // A finishes now, with a history from before the rock track was played: the page drops its answer (and
            // says so in its log) and keeps B's. Once the log line is written, a call queued on the renderer runs
            // after the rest of A's handler, its render included.
            gate.Release();
            await Dropped().WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await page.InvokeAsync(() => { });
            Assert.Equal(["Short Blues"], Titles(page));
        }
        finally
        {
            gate.Release();
        }
    }

    [Fact]
    public async Task The_model_and_backend_switches_rank_with_the_chosen_pair_and_every_list_is_explained_by_sound()
    {
        await using var own = new CatalogAppFixture(new BlazorRecsAppFactory());
        await own.InitializeAsync();
        var c = own.Catalog;
        // Two backends that disagree: under mfcc the short blues sounds like the jazz track the persona heard, under
        // musicnn-msd the rock track does. A KNN checkpoint of each, beside popularity (rock first, by count).
        await TrainKnnAsync(own, "mfcc", new() { [c.JazzTrack] = [1, 0], [c.ShortTrack] = [0.9f, 0.1f], [c.RockTrack] = [0, 1] });
        await TrainKnnAsync(own, "musicnn-msd", new() { [c.JazzTrack] = [1, 0], [c.ShortTrack] = [0, 1], [c.RockTrack] = [0.9f, 0.1f] });
        var page = await RenderAsync(own);

        // The pairs come in order, so KNN on mfcc is shown first.
        page.WaitForAssertion(() => Assert.Equal(["Short Blues", "Gear Shift"], Titles(page)), Patience);
        Assert.Contains("knn / mfcc", Normalised(page.Find("[data-testid=for-you-summary]").TextContent), StringComparison.Ordinal);
        Assert.All(page.FindAll("[data-testid=because]"), b => Assert.Contains("sounds like Modal Walk from your history", Normalised(b.TextContent), StringComparison.Ordinal));

        var selects = page.FindComponents<MudSelect<string>>();
        await page.InvokeAsync(() => selects[1].Instance.ValueChanged.InvokeAsync("musicnn-msd"));
        page.WaitForAssertion(() => Assert.Equal(["Gear Shift", "Short Blues"], Titles(page)), Patience);
        Assert.Contains("knn / musicnn-msd", Normalised(page.Find("[data-testid=for-you-summary]").TextContent), StringComparison.Ordinal);

        // Popularity hears nothing, yet its list is explained by sound as well (under MusiCNN's vectors), and radio
        // follows the pair on screen.
        await page.InvokeAsync(() => selects[0].Instance.ValueChanged.InvokeAsync("pop"));
        page.WaitForAssertion(() => Assert.Contains("pop / –", Normalised(page.Find("[data-testid=for-you-summary]").TextContent), StringComparison.Ordinal), Patience);
        Assert.Equal(["Gear Shift", "Short Blues"], Titles(page));
        Assert.Equal(2, page.FindAll("[data-testid=because]").Count);
        Assert.Equal(new RecommenderPair("pop", null), _ctx.Services.GetRequiredService<PlayerState>().RadioPair);
        // MusiCNN explains it, though mfcc comes first by name.
        var live = own.App.Services.GetRequiredService<LiveRecommendations>();
        Assert.Equal("musicnn-msd", (await live.RecommendAsync(c.Persona, new RecommenderPair("pop", null), 5, Ct)).ExplainedWith);
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static string Normalised(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    // A KNN checkpoint over the catalog's three tracks under a backend given these vectors, as the training job saves it.
    private static async Task TrainKnnAsync(CatalogAppFixture app, string backend, Dictionary<int, float[]> vectors)
    {
        var services = app.App.Services;
        var store = services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo(backend, "test", 2, "v1", BackendStatus.Available, "", 16000, false), Ct);
        foreach (var (track, vector) in vectors)
        {
            await store.SaveAsync(track, backend, "v1", new AudioEmbedding(vector, null), Ct);
        }

        int[] items = [app.Catalog.JazzTrack, app.Catalog.RockTrack, app.Catalog.ShortTrack];
        string relative = Path.Combine("recommenders", $"knn-{backend}");
        using (var knn = KnnRecommender.Create(new ItemFeatures([.. items.SelectMany(t => vectors[t])], 2)))
        {
            knn.Save(app.CheckpointDirectory(relative));
        }

        await app.RegisterCheckpointAsync("knn", relative, backend: backend);
    }

    // The For you page for the catalog's persona, on the app's real services, with popularity trained.
    private async Task<IRenderedComponent<ForYouPage>> RenderAsync(CatalogAppFixture app)
    {
        string relative = Path.Combine("recommenders", "pop-for-you");
        new PopularityRecommender([5, 3, 1]).Save(app.CheckpointDirectory(relative));
        await app.RegisterCheckpointAsync("pop", relative);
        var services = app.App.Services;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton<ILoggerFactory>(new LoggerFactory([new FakeLoggerProvider(_log)], new LoggerFilterOptions { MinLevel = LogLevel.Debug }));
        _ctx.Services.AddScoped<PlayerState>();
        _ctx.Services.AddSingleton(services.GetRequiredService<ListeningService>());
        _ctx.Services.AddSingleton(services.GetRequiredService<RecommendationQueries>());
        _ctx.Services.AddSingleton(services.GetRequiredService<JobService>());
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Render<MudPopoverProvider>();
        var listener = await services.GetRequiredService<ListeningService>().GetAsync(app.Catalog.Persona, Ct);
        _ctx.Services.GetRequiredService<PlayerState>().SetListener(listener);
        return _ctx.Render<ForYouPage>();
    }

    // A counted play (whole length) of a track by the persona.
    private static async Task PlayAsync(CatalogAppFixture app, int trackId)
    {
        var played = await app.App.Services.GetRequiredService<ListeningService>().RecordAsync(new PlayReport(app.Catalog.Persona, trackId, 40_000), Ct);
        Assert.True(played.Play is not null, played.Reason);
    }

    private static List<string> Titles(IRenderedComponent<ForYouPage> page) =>
        [.. page.FindAll("[data-testid=recommendations] [data-testid=play-track]").Select(e => e.GetAttribute("aria-label")!["Play ".Length..])];

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    // When the page's log says it dropped the answer of a load that a newer one overtook (records from the start).
    private async Task Dropped()
    {
        await foreach (var record in _log.GetLogsAsync(Ct))
        {
            if (record.Message.StartsWith("For you: dropped the answer", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    // Holds the first listener-history query after HoldNext once its rows are read (the database as it was then),
    // until Release: a ranking that started first and finishes last.
    private sealed class HistoryGate : DbCommandInterceptor
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public Task Held => _held.Task;

        public void HoldNext() => Volatile.Write(ref _armed, 1);

        public void Release() => _release.TrySetResult();

        // Called when the rows have all been read and the reader is about to close.
        public override async ValueTask<InterceptionResult> DataReaderClosingAsync(
            DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            if (command.CommandText.Contains(CatalogData.HistoryQueryTag, StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _held.TrySetResult();
                await _release.Task;
            }

            return result;
        }
    }
}
