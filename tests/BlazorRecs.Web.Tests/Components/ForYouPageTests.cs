using Bunit;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Recommenders.Popularity;
using BlazorRecs.Web.Features.Playback;
using BlazorRecs.Web.Features.Recommendations;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>The For you page in bUnit, on the real app's services (catalog, listening, live recommendations).</summary>
public sealed class ForYouPageTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>, IAsyncDisposable
{
    private readonly BunitContext _ctx = new();

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_list_ranks_again_after_a_counted_play_of_the_listener()
    {
        var catalog = fixture.Catalog;
        string relative = Path.Combine("recommenders", "pop-for-you");
        new PopularityRecommender([5, 3, 1]).Save(fixture.CheckpointDirectory(relative));
        await fixture.RegisterCheckpointAsync("pop", relative);
        var app = fixture.App.Services;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddScoped<PlayerState>();
        _ctx.Services.AddSingleton(app.GetRequiredService<ListeningService>());
        _ctx.Services.AddSingleton(app.GetRequiredService<RecommendationQueries>());
        _ctx.Services.AddSingleton(app.GetRequiredService<JobService>());
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Render<MudPopoverProvider>();
        var listener = await app.GetRequiredService<ListeningService>().GetAsync(catalog.Persona, Ct);
        _ctx.Services.GetRequiredService<PlayerState>().SetListener(listener);

        var page = _ctx.Render<ForYouPage>();

        // Only popularity is trained: the page switches to it. The persona heard the jazz track.
        page.WaitForAssertion(() => Assert.Equal(["Gear Shift", "Short Blues"], Titles(page)));
        Assert.Contains("pop", page.Find("[data-testid=for-you-summary]").TextContent, StringComparison.Ordinal);

        // A counted play of the rock track: it is heard now, so the page ranks again without it.
        var played = await app.GetRequiredService<ListeningService>().RecordAsync(new PlayReport(catalog.Persona, catalog.RockTrack, 40_000), Ct);
        Assert.True(played.Play is not null, played.Reason);
        page.WaitForAssertion(() => Assert.Equal(["Short Blues"], Titles(page)));
    }

    private static List<string> Titles(IRenderedComponent<ForYouPage> page) =>
        [.. page.FindAll("[data-testid=recommendations] [data-testid=play-track]").Select(e => e.GetAttribute("aria-label")!["Play ".Length..])];

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
