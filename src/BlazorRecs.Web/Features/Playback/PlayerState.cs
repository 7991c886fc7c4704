using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Listening;

namespace BlazorRecs.Web.Features.Playback;

/// <summary>What the browser's audio element does: load a track, toggle, seek, set the volume.</summary>
public interface IPlayerDriver
{
    /// <summary>Loads <paramref name="trackId"/> and plays it when <paramref name="autoplay"/> is set.</summary>
    Task LoadAsync(int trackId, int listenerId, PlaySource source, bool autoplay);

    /// <summary>Plays or pauses.</summary>
    Task ToggleAsync();

    /// <summary>Jumps to <paramref name="seconds"/>.</summary>
    Task SeekAsync(double seconds);

    /// <summary>Sets the volume in [0, 1].</summary>
    Task SetVolumeAsync(double volume);

    /// <summary>Makes <paramref name="listenerId"/> the session's listener (null: a new listener); returns it.</summary>
    Task<ListenerSummary> ChooseListenerAsync(int? listenerId, string? name);
}

/// <summary>
/// The player of one browser tab (scoped to its circuit): the listener it plays as, the queue, and what is playing.
/// Pages call it; the player bar renders it and drives the audio element.
/// </summary>
public sealed class PlayerState
{
    private readonly List<TrackSummary> _queue = [];
    private readonly HashSet<int> _radioEntries = [];
    private IPlayerDriver? _driver;
    private bool _radioAsking;

    /// <summary>Raised whenever anything here changes.</summary>
    public event Action? Changed;

    /// <summary>The listener plays are recorded for, once chosen.</summary>
    public ListenerSummary? Listener { get; private set; }

    /// <summary>The queue, in play order.</summary>
    public IReadOnlyList<TrackSummary> Queue => _queue;

    /// <summary>Position of the current track in <see cref="Queue"/>, or -1.</summary>
    public int Index { get; private set; } = -1;

    /// <summary>The current track.</summary>
    public TrackSummary? Current => Index >= 0 && Index < _queue.Count ? _queue[Index] : null;

    /// <summary>Seconds into the current track.</summary>
    public double Position { get; private set; }

    /// <summary>The current track's length in seconds (0 until known).</summary>
    public double Duration { get; private set; }

    /// <summary>Whether playback is paused.</summary>
    public bool Paused { get; private set; } = true;

    /// <summary>How much of the current track was really heard (seeks excluded).</summary>
    public int HeardMs { get; private set; }

    /// <summary>Volume in [0, 1].</summary>
    public double Volume { get; private set; } = 0.8;

    /// <summary>The last error the player met, for the UI to show.</summary>
    public string? Error { get; private set; }

    /// <summary>Whether the player bar is connected to an audio element.</summary>
    public bool IsReady => _driver is not null;

    /// <summary>Connects the audio element's driver (the player bar does this once it has rendered).</summary>
    public void Attach(IPlayerDriver driver)
    {
        _driver = driver;
        Notify();
    }

    /// <summary>Restores the listener the session cookie named.</summary>
    public void SetListener(ListenerSummary? listener)
    {
        Listener = listener;
        Notify();
    }

    /// <summary>Listens as <paramref name="listenerId"/>, or as a new listener when null.</summary>
    public async Task ChooseListenerAsync(int? listenerId, string? name = null)
    {
        Listener = await RequireDriver().ChooseListenerAsync(listenerId, name);
        Notify();
    }

    /// <summary>Replaces the queue with <paramref name="tracks"/> and plays the one at <paramref name="start"/>.</summary>
    public async Task PlayAsync(IEnumerable<TrackSummary> tracks, int start = 0)
    {
        if (!ReadyToPlay())
        {
            return;
        }

        _queue.Clear();
        _radioEntries.Clear();
        _queue.AddRange(tracks);
        await PlayIndexAsync(Math.Clamp(start, 0, Math.Max(0, _queue.Count - 1)));
    }

    /// <summary>Adds <paramref name="track"/> to the end of the queue (and plays it if nothing is playing).</summary>
    public async Task EnqueueAsync(TrackSummary track)
    {
        if (Current is null && !ReadyToPlay())
        {
            return;
        }

        _queue.Add(track);
        if (Current is null)
        {
            await PlayIndexAsync(_queue.Count - 1);
        }
        else
        {
            Notify();
        }
    }

    /// <summary>Plays the next track in the queue; at its end in radio mode, the listener's next recommendation.</summary>
    public async Task NextAsync()
    {
        if (Index + 1 < _queue.Count)
        {
            await PlayIndexAsync(Index + 1);
        }
        else if (Radio && RadioSource is { } source && Listener is { } listener && !_radioAsking)
        {
            // One question at a time: the track's end and a press of next can both arrive while radio asks.
            _radioAsking = true;
            TrackSummary? next;
            try
            {
                next = await source(listener.Id, RadioPair, _queue.Select(t => t.Id).ToHashSet());
            }
            finally
            {
                _radioAsking = false;
            }

            if (next is null)
            {
                ReportError("Radio: no recommendation to play next (is a recommender trained?)");
                return;
            }

            _queue.Add(next);
            _radioEntries.Add(_queue.Count - 1);
            await PlayIndexAsync(_queue.Count - 1);
        }
    }

    /// <summary>Whether the queue fills itself with the next recommendation when it runs out.</summary>
    public bool Radio { get; private set; }

    /// <summary>The model radio asks (the For you page sets the one it shows); null: the default.</summary>
    public BlazorRecs.Core.Recommenders.RecommenderPair? RadioPair { get; set; }

    /// <summary>Where radio gets the next track: (listener, model, tracks already queued) to a track, or null.
    /// Set by the player bar from the recommendation service.</summary>
    public Func<int, BlazorRecs.Core.Recommenders.RecommenderPair?, IReadOnlySet<int>, Task<TrackSummary?>>? RadioSource { get; set; }

    /// <summary>Turns radio mode on or off.</summary>
    public void SetRadio(bool on)
    {
        Radio = on;
        Notify();
    }

    /// <summary>Restarts the current track when past its first 3 s, otherwise plays the previous one.</summary>
    public Task PreviousAsync() =>
        Position > 3 || Index <= 0 ? SeekAsync(0) : PlayIndexAsync(Index - 1);

    /// <summary>Plays the queue entry at <paramref name="index"/>.</summary>
    public async Task PlayIndexAsync(int index)
    {
        if (index < 0 || index >= _queue.Count)
        {
            return;
        }

        var driver = RequireDriver();
        if (Listener is null)
        {
            // Plays belong to a listener: a visitor who has not chosen one starts as a new listener.
            Listener = await driver.ChooseListenerAsync(null, null);
        }

        Index = index;
        Position = 0;
        Duration = _queue[index].DurationMs / 1000.0;
        HeardMs = 0;
        Error = null;
        Notify();
        var source = _radioEntries.Contains(index) ? PlaySource.Radio : PlaySource.Player;
        await driver.LoadAsync(_queue[index].Id, Listener.Id, source, autoplay: true);
    }

    /// <summary>Plays or pauses.</summary>
    public Task ToggleAsync() => Current is null ? Task.CompletedTask : RequireDriver().ToggleAsync();

    /// <summary>Jumps within the current track.</summary>
    public Task SeekAsync(double seconds) => Current is null ? Task.CompletedTask : RequireDriver().SeekAsync(seconds);

    /// <summary>Sets the volume.</summary>
    public async Task SetVolumeAsync(double volume)
    {
        Volume = Math.Clamp(volume, 0, 1);
        await RequireDriver().SetVolumeAsync(Volume);
        Notify();
    }

    /// <summary>The audio element's state, pushed by the driver a few times a second.</summary>
    public void Report(double position, double duration, bool paused, int heardMs)
    {
        Position = position;
        if (duration > 0)
        {
            Duration = duration;
        }

        Paused = paused;
        HeardMs = heardMs;
        Notify();
    }

    /// <summary>The volume changed in the browser (keyboard shortcut).</summary>
    public void ReportVolume(double volume)
    {
        Volume = volume;
        Notify();
    }

    /// <summary>The player met an error (a missing file, a refused play report).</summary>
    public void ReportError(string message)
    {
        Error = message;
        Notify();
    }

    // Before anything is changed: a click that arrives before the audio element is connected is told so, not thrown.
    private bool ReadyToPlay()
    {
        if (IsReady)
        {
            return true;
        }

        ReportError("The player is still starting: press play again in a moment.");
        return false;
    }

    private IPlayerDriver RequireDriver() =>
        _driver ?? throw new InvalidOperationException("The player is not connected yet; try again in a moment.");

    private void Notify() => Changed?.Invoke();
}
