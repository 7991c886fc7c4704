using System.Text.Json;
using BlazorRecs.Core.Catalog;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Listening;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Recommenders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Web.Tests;

/// <summary>A tiny real catalog for HTTP tests: two artists, one album, three tracks with real MP3 files made by
/// ffmpeg, and one persona with history.</summary>
internal sealed record TestCatalog(int JazzTrack, int RockTrack, int ShortTrack, int Persona, int AlbumId, long Mp3Bytes)
{
    public static async Task<TestCatalog> CreateAsync(BlazorRecsAppFactory app, CancellationToken ct)
    {
        var services = app.Services;
        var ffmpeg = services.GetRequiredService<Ffmpeg>();
        string audio = Path.Combine(app.DataDirectory, "audio");
        Directory.CreateDirectory(audio);
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=440:duration=40", "-b:a", "64k", Path.Combine(audio, "a.mp3")], ct);
        await ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=660:duration=20", "-b:a", "64k", Path.Combine(audio, "b.mp3")], ct);

        var contexts = services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var released = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var miles = new Artist { Name = "Blue Quartet", Genre = "jazz" };
        var band = new Artist { Name = "Loud Engine", Genre = "rock" };
        var album = new Album { Title = "Night Sessions", Artist = miles, ReleasedAt = released };
        var jazz = new Track { Title = "Modal Walk", Artist = miles, Album = album, TrackNumber = 1, Genre = "jazz", DurationMs = 40_000, AudioPath = "audio/a.mp3", ReleasedAt = released, AddedAt = released };
        var rock = new Track { Title = "Gear Shift", Artist = band, Genre = "rock", DurationMs = 40_000, AudioPath = "audio/a.mp3", ReleasedAt = released.AddMonths(6), AddedAt = released };
        var brief = new Track { Title = "Short Blues", Artist = miles, Album = album, TrackNumber = 2, Genre = "jazz", DurationMs = 20_000, AudioPath = "audio/b.mp3", ReleasedAt = released, AddedAt = released };
        var persona = new Listener { Name = "Ada Persona", Kind = ListenerKind.Persona, CreatedAt = released };
        db.AddRange(miles, band, album, jazz, rock, brief, persona);
        await db.SaveChangesAsync(ct);
        db.Plays.AddRange(
            new Play { ListenerId = persona.Id, TrackId = jazz.Id, StartedAt = released.AddDays(1), MsPlayed = 40_000, Source = PlaySource.Simulated },
            new Play { ListenerId = persona.Id, TrackId = jazz.Id, StartedAt = released.AddDays(2), MsPlayed = 35_000, Source = PlaySource.Simulated },
            new Play { ListenerId = persona.Id, TrackId = brief.Id, StartedAt = released.AddDays(3), MsPlayed = 2_000, IsSkip = true, Source = PlaySource.Simulated });
        await db.SaveChangesAsync(ct);
        return new TestCatalog(jazz.Id, rock.Id, brief.Id, persona.Id, album.Id, new FileInfo(Path.Combine(audio, "a.mp3")).Length);
    }
}

/// <summary>One app with the test catalog, shared by the tests of a class (starting an app takes seconds).</summary>
public sealed class CatalogAppFixture : IAsyncLifetime
{
    public CatalogAppFixture()
        : this(new BlazorRecsAppFactory())
    {
    }

    /// <summary>The test catalog in an app of the caller's (for one test that needs its own services).</summary>
    internal CatalogAppFixture(BlazorRecsAppFactory app) => App = app;

    public BlazorRecsAppFactory App { get; }

    internal TestCatalog Catalog { get; private set; } = default!;

    public async ValueTask InitializeAsync() => Catalog = await TestCatalog.CreateAsync(App, TestContext.Current.CancellationToken);

    /// <summary>A checkpoint directory (relative to the data directory) of a model over the catalog's three tracks.</summary>
    public string CheckpointDirectory(string relative) =>
        Path.Combine(App.Services.GetRequiredService<IOptions<BlazorRecsOptions>>().Value.DataPath, relative);

    /// <summary>What the training job does after saving a checkpoint of the three tracks: their ids beside it, and its
    /// row. Without <paramref name="writeItems"/> only the row (a checkpoint whose files are missing).</summary>
    public async Task<TrainedModel> RegisterCheckpointAsync(string model, string relative, DateTimeOffset? createdAt = null, bool writeItems = true, string? backend = null)
    {
        var ct = TestContext.Current.CancellationToken;
        if (writeItems)
        {
            await File.WriteAllTextAsync(Path.Combine(CheckpointDirectory(relative), RecommenderTraining.ItemsFile),
                JsonSerializer.Serialize(new[] { Catalog.JazzTrack, Catalog.RockTrack, Catalog.ShortTrack }), ct);
        }

        var row = new TrainedModel { Model = model, BackendId = backend, CheckpointPath = relative, CreatedAt = createdAt ?? DateTimeOffset.UtcNow };
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>().CreateDbContextAsync(ct);
        db.TrainedModels.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
