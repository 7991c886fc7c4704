using Bunit;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Web.Features.Catalog;
using MudBlazor.Services;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests.Components;

public sealed class TrackRowTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = new();

    public TrackRowTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public async Task A_row_shows_the_track_links_to_it_and_plays_or_queues_it()
    {
        var track = new TrackSummary(481, "Marrakesh Nights", 54, "The Amber Saints", 113, "Indigo Comets", "blues", 30_000,
            new DateTimeOffset(2024, 2, 29, 0, 0, 0, TimeSpan.Zero), 4477);
        int played = 0, queued = 0;

        var row = _ctx.Render<TrackRow>(p => p
            .Add(r => r.Track, track)
            .Add(r => r.OnPlay, () => played++)
            .Add(r => r.OnEnqueue, () => queued++));

        Assert.Equal("tracks/481", row.Find("a[href='tracks/481']").GetAttribute("href"));
        Assert.Contains("The Amber Saints", row.Find("a[href='artists/54']").TextContent, StringComparison.Ordinal);
        Assert.Contains("Indigo Comets", row.Find("a[href='albums/113']").TextContent, StringComparison.Ordinal);
        Assert.Contains("0:30", row.Markup, StringComparison.Ordinal);
        Assert.Contains("4,477", row.Markup, StringComparison.Ordinal);

        await row.Find("[data-testid=play-track]").ClickAsync(new());
        await row.Find("button[aria-label='Add to queue']").ClickAsync(new());

        Assert.Equal(1, played);
        Assert.Equal(1, queued);
    }

    [Fact]
    public void A_compact_row_leaves_out_album_and_plays_so_the_title_keeps_its_room()
    {
        var track = new TrackSummary(481, "Marrakesh Nights", 54, "The Amber Saints", 113, "Indigo Comets", "blues", 30_000,
            new DateTimeOffset(2024, 2, 29, 0, 0, 0, TimeSpan.Zero), 4477);

        var full = _ctx.Render<TrackRow>(p => p.Add(r => r.Track, track));
        var compact = _ctx.Render<TrackRow>(p => p.Add(r => r.Track, track).Add(r => r.Compact, true));

        Assert.Equal("counted plays (skips not counted)", full.Find(".track-plays").GetAttribute("title"));
        Assert.Contains("d-md-block", full.Find(".track-album").ClassName, StringComparison.Ordinal);
        Assert.Empty(compact.FindAll(".track-plays"));
        Assert.DoesNotContain("4,477", compact.Markup, StringComparison.Ordinal);
        // The album is hidden at every width (d-none with no breakpoint that shows it again).
        Assert.DoesNotContain("d-md-block", compact.Find(".track-album").ClassName, StringComparison.Ordinal);
        Assert.Contains("Marrakesh Nights", compact.Find("a[href='tracks/481']").TextContent, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
