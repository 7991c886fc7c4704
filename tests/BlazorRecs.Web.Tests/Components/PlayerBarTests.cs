using Bunit;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Listening;
using BlazorRecs.Web.Features.Playback;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>The player bar against bUnit's JS runtime: what it renders and what it asks the browser to do. The
/// browser side itself is covered by the Playwright journey.</summary>
public sealed class PlayerBarTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Released = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // bUnit's default wait (1 s) is too short when the other test assemblies share the two cores.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly TrackSummary[] Tracks =
    [
        new(1, "Modal Walk", 10, "Blue Quartet", 20, "Night Sessions", "jazz", 30_000, Released, 4),
        new(2, "Gear Shift", 11, "Loud Engine", null, null, "rock", 45_000, Released, 2),
    ];

    private readonly BunitContext _ctx = new();
    private readonly BunitJSModuleInterop _module;

    public PlayerBarTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.Services.AddScoped<PlayerState>();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _module = _ctx.JSInterop.SetupModule("./js/player.js");
        _module.Mode = JSRuntimeMode.Loose;
        _module.Setup<ListenerSummary>("setSessionListener", _ => true)
            .SetResult(new ListenerSummary(77, "Visitor 77", ListenerKind.Visitor, 0, null));
        _ctx.Render<MudPopoverProvider>();
    }

    private PlayerState Player => _ctx.Services.GetRequiredService<PlayerState>();

    [Fact]
    public void Nothing_playing_disables_the_transport()
    {
        var bar = _ctx.Render<PlayerBar>();

        Assert.Contains("Nothing playing", bar.Markup, StringComparison.Ordinal);
        Assert.True(bar.Find("[data-testid=player-toggle]").HasAttribute("disabled"));
        Assert.Equal(1, _module.Invocations.Count(i => i.Identifier == "init"));
        Assert.True(Player.IsReady);
    }

    [Fact]
    public async Task Radio_fills_the_queue_with_the_next_recommendation_when_it_runs_out()
    {
        var bar = _ctx.Render<PlayerBar>();
        var asked = new List<int[]>();
        Player.RadioSource = (_, _, queued) =>
        {
            asked.Add([.. queued.Order()]);
            return Task.FromResult<TrackSummary?>(Tracks[1]);
        };
        await bar.InvokeAsync(() => Player.PlayAsync([Tracks[0]]));

        // Without radio the queue simply ends.
        await bar.InvokeAsync(() => bar.Instance.OnEnded());
        Assert.Single(Player.Queue);
        Assert.Empty(asked);

        await bar.InvokeAsync(() => Player.SetRadio(true));
        await bar.InvokeAsync(() => bar.Instance.OnEnded());
        Assert.Equal([1, 2], Player.Queue.Select(t => t.Id));
        Assert.Equal([1], Assert.Single(asked));
        var load = _module.Invocations.Last(i => i.Identifier == "load");
        Assert.Equal(2, load.Arguments[0]);
        Assert.Equal("Radio", load.Arguments[2]);
        bar.WaitForAssertion(() => Assert.Equal("Gear Shift", bar.Find("[data-testid=player-title]").TextContent), Patience);
    }

    [Fact]
    public async Task The_end_of_a_track_and_a_press_of_next_while_radio_asks_queue_one_recommendation()
    {
        var bar = _ctx.Render<PlayerBar>();
        var answer = new TaskCompletionSource<TrackSummary?>();
        int asked = 0;
        Player.RadioSource = (_, _, _) =>
        {
            asked++;
            return answer.Task;
        };
        await bar.InvokeAsync(() => Player.PlayAsync([Tracks[0]]));
        await bar.InvokeAsync(() => Player.SetRadio(true));

        var ended = bar.InvokeAsync(() => bar.Instance.OnEnded());
        var next = bar.InvokeAsync(() => bar.Instance.OnNext());
        answer.SetResult(Tracks[1]);
        await Task.WhenAll(ended, next);

        Assert.Equal(1, asked);
        Assert.Equal([1, 2], Player.Queue.Select(t => t.Id));
    }

    [Fact]
    public async Task Play_before_the_player_is_connected_says_so_and_leaves_the_queue_alone()
    {
        // No player bar rendered: the audio element's driver is not attached yet.
        Assert.False(Player.IsReady);

        await Player.PlayAsync(Tracks);
        await Player.EnqueueAsync(Tracks[1]);

        Assert.Empty(Player.Queue);
        Assert.Null(Player.Current);
        Assert.Contains("still starting", Player.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Playing_loads_the_track_for_a_new_listener_and_shows_it()
    {
        var bar = _ctx.Render<PlayerBar>();

        await bar.InvokeAsync(() => Player.PlayAsync(Tracks));

        bar.WaitForAssertion(() => Assert.Equal("Modal Walk", bar.Find("[data-testid=player-title]").TextContent), Patience);
        // No listener was chosen, so one was created through the session endpoint before loading.
        Assert.Equal(77, Player.Listener?.Id);
        var load = Assert.Single(_module.Invocations, i => i.Identifier == "load");
        Assert.Equal([1, 77, "Player", true], load.Arguments);
    }

    [Fact]
    public async Task State_from_the_audio_element_updates_position_and_the_play_pause_button()
    {
        var bar = _ctx.Render<PlayerBar>();
        await bar.InvokeAsync(() => Player.PlayAsync(Tracks));

        await bar.InvokeAsync(() => bar.Instance.OnState(65.4, 90, false, 60_000));

        bar.WaitForAssertion(() => Assert.Equal("1:05", bar.Find("[data-testid=player-position]").TextContent), Patience);
        Assert.Equal("Pause", bar.Find("[data-testid=player-toggle]").GetAttribute("aria-label"));
        Assert.Equal(60_000, Player.HeardMs);
    }

    [Fact]
    public async Task Toggle_next_and_the_end_of_a_track_drive_the_audio_element()
    {
        var bar = _ctx.Render<PlayerBar>();
        await bar.InvokeAsync(() => Player.PlayAsync(Tracks));

        await bar.Find("[data-testid=player-toggle]").ClickAsync(new());
        await bar.InvokeAsync(bar.Instance.OnEnded); // the track ended: the queue moves on

        Assert.Single(_module.Invocations, i => i.Identifier == "toggle");
        var loads = _module.Invocations.Where(i => i.Identifier == "load").Select(i => (int)i.Arguments[0]!).ToList();
        Assert.Equal([1, 2], loads);
        Assert.Equal(1, Player.Index);
        // At the end of the queue, "next" does nothing.
        await bar.InvokeAsync(bar.Instance.OnNext);
        Assert.Equal(2, _module.Invocations.Count(i => i.Identifier == "load"));
    }

    [Fact]
    public async Task Player_errors_are_shown_to_the_listener()
    {
        var bar = _ctx.Render<PlayerBar>();

        await bar.InvokeAsync(() => bar.Instance.OnError("Audio error: format not supported or file missing"));

        Assert.Equal("Audio error: format not supported or file missing", Player.Error);
        var snackbar = _ctx.Services.GetRequiredService<ISnackbar>();
        Assert.Contains(snackbar.ShownSnackbars, s => s.Message?.Contains("format not supported", StringComparison.Ordinal) == true);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
