using Bunit;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Web.Features.Recommendations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>The Evaluate page's description of each backend's space, on the real app's catalog and vectors.</summary>
public sealed class EvaluatePageTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly BunitContext _ctx = new();

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task Describing_the_spaces_says_when_there_are_no_vectors_then_shows_each_backends_measures()
    {
        var services = fixture.App.Services;
        var page = Render(services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>());
        Assert.Empty(page.FindAll("[data-testid=spaces-table]"));

        // Nothing embedded yet: the page says what computes the vectors.
        page.Find("[data-testid=describe-spaces]").Click();
        page.WaitForAssertion(() => Assert.Contains("embed job", page.Find("[data-testid=no-spaces]").TextContent, StringComparison.Ordinal), Patience);

        // Vectors for the three tracks: the two jazz tracks (one album) close together, the rock track apart.
        var store = services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo("probe", "test", 2, "v1", BackendStatus.Available, "", 16000, false), Ct);
        float[][] vectors = [[1, 0], [0.9f, 0.1f], [0, 1]];
        int[] tracks = [fixture.Catalog.JazzTrack, fixture.Catalog.ShortTrack, fixture.Catalog.RockTrack];
        for (int i = 0; i < 3; i++)
        {
            await store.SaveAsync(tracks[i], "probe", "v1", new AudioEmbedding(vectors[i], null), Ct);
        }

        page.Find("[data-testid=describe-spaces]").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=spaces-table] tbody tr")), Patience);
        string[] cells = [.. page.FindAll("[data-testid=spaces-table] tbody td").Select(td => td.TextContent.Trim())];
        string effective = EmbeddingSpace.EffectiveDimensions(vectors).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        // The row shows what EmbeddingSpace computed (its ranking is tested in Core with catalogs large enough to
        // tell neighbours apart). Here, with 3 tracks, each track's 2 neighbours are the other two: a jazz track finds
        // 1 of 2 in its genre and the rock track none, 1/3 as chance gives; only the jazz tracks have an album. Three
        // tracks are too few for a cross-validated probe of any descriptor.
        Assert.Equal(["probe", "3", "2", effective, "0.333 (1.0x chance)", "1.000 (1.0x chance)", "–", "–", "–", "–"], cells);
    }

    [Fact]
    public void A_failure_while_describing_is_reported_and_the_page_stays_usable()
    {
        var page = Render(new UnreachableDatabase());

        page.Find("[data-testid=describe-spaces]").Click();

        // Before, the exception left the handler and ended the circuit; now it is a message, and the button works again.
        var snackbar = _ctx.Services.GetRequiredService<MudBlazor.ISnackbar>();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message?.Contains("could not be described", StringComparison.Ordinal) == true), Patience);
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=describe-spaces]").HasAttribute("disabled")), Patience);
        Assert.Empty(page.FindAll("[data-testid=spaces-table]"));
    }

    public async ValueTask DisposeAsync() => await _ctx.DisposeAsync();

    // The page on the app's runs and jobs, reading vectors through the given database.
    private IRenderedComponent<EvaluatePage> Render(IDbContextFactory<BlazorRecsDbContext> contexts)
    {
        var services = fixture.App.Services;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton(services.GetRequiredService<EvaluationRuns>());
        _ctx.Services.AddSingleton(services.GetRequiredService<JobService>());
        _ctx.Services.AddSingleton(contexts);
        _ctx.AddAuthorization();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return _ctx.Render<EvaluatePage>();
    }

    private sealed class UnreachableDatabase : IDbContextFactory<BlazorRecsDbContext>
    {
        public BlazorRecsDbContext CreateDbContext() => throw new InvalidOperationException("the database is unreachable (test)");
    }
}
