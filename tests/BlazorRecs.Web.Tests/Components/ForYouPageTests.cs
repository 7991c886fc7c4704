using System.Text.Json;
using Bunit;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Popularity;
using BlazorRecs.Web.Features.Playback;
using BlazorRecs.Web.Features.Recommendations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
        await RegisterPopularityAsync([5, 3, 1]);
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

    // A popularity checkpoint over the catalog's three tracks, registered as the training job does.
    private async Task RegisterPopularityAsync(float[] counts)
    {
        var services = fixture.App.Services;
        var options = services.GetRequiredService<IOptions<BlazorRecsOptions>>().Value;
        string relative = Path.Combine("recommenders", "pop-for-you");
        new PopularityRecommender(counts).Save(Path.Combine(options.DataPath, relative));
        await File.WriteAllTextAsync(Path.Combine(options.DataPath, relative, RecommenderTraining.ItemsFile),
            JsonSerializer.Serialize(new[] { fixture.Catalog.JazzTrack, fixture.Catalog.RockTrack, fixture.Catalog.ShortTrack }), Ct);
        await using var db = await services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>().CreateDbContextAsync(Ct);
        db.TrainedModels.Add(new TrainedModel { Model = "pop", CheckpointPath = relative, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(Ct);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
