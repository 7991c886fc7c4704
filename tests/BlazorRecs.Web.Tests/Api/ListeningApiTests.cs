using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BlazorRecs.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests.Api;

// Tests share one app; each works with its own listeners so they do not see each other's plays.
public sealed class ListeningApiTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>
{
    private readonly BlazorRecsAppFactory _app = fixture.App;
    private readonly TestCatalog _catalog = fixture.Catalog;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Listeners_and_their_plays_newest_first()
    {
        using var client = _app.CreateClient();

        using var listeners = JsonDocument.Parse(await client.GetStringAsync("/api/listeners?query=ada", Ct));
        Assert.Equal(1, listeners.RootElement.GetProperty("total").GetInt32());
        var ada = listeners.RootElement.GetProperty("items")[0];
        Assert.Equal("Ada Persona", ada.GetProperty("name").GetString());
        Assert.Equal(2, ada.GetProperty("plays").GetInt32()); // the skip is not a counted play

        using var plays = JsonDocument.Parse(await client.GetStringAsync($"/api/listeners/{_catalog.Persona}/plays", Ct));
        var items = plays.RootElement.GetProperty("items");
        Assert.Equal(3, plays.RootElement.GetProperty("total").GetInt32());
        var times = items.EnumerateArray().Select(p => p.GetProperty("startedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.True(items[0].GetProperty("isSkip").GetBoolean());
    }

    [Fact]
    public async Task A_play_for_a_listener_other_than_the_session_is_forbidden()
    {
        using var client = _app.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/plays", new { listenerId = _catalog.Persona, trackId = _catalog.JazzTrack, msPlayed = 35_000 }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, await PlayCountAsync(_catalog.Persona));
    }

    [Fact]
    public async Task The_session_listener_survives_between_requests_and_its_plays_are_recorded()
    {
        using var client = _app.CreateClient();
        using var created = await client.PutAsJsonAsync("/api/session/listener", new { listenerId = (int?)null, name = "Bo" }, Ct);
        int listener = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();
        // Choosing an existing listener by id; the cookie carries it to the next requests.
        using var chosen = await client.PutAsJsonAsync("/api/session/listener", new { listenerId = listener }, Ct);
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);

        using var session = JsonDocument.Parse(await client.GetStringAsync("/api/session/listener", Ct));
        Assert.Equal(listener, session.RootElement.GetProperty("id").GetInt32());

        using var counted = await client.PostAsJsonAsync("/api/plays", new { listenerId = listener, trackId = _catalog.RockTrack, msPlayed = 31_000 }, Ct);
        using var skipped = await client.PostAsJsonAsync("/api/plays", new { listenerId = listener, trackId = _catalog.ShortTrack, msPlayed = 9_000 }, Ct);

        Assert.Equal(HttpStatusCode.Created, counted.StatusCode);
        Assert.False((await counted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("isSkip").GetBoolean());
        // 9 s of a 20 s track is under half of it: a skip.
        Assert.True((await skipped.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("isSkip").GetBoolean());
        Assert.Equal(2, await PlayCountAsync(listener));
        using var unknown = await client.PutAsJsonAsync("/api/session/listener", new { listenerId = 999_999 }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData(999_999, 10_000, HttpStatusCode.NotFound)]       // unknown track
    [InlineData(0, 45_000, HttpStatusCode.BadRequest)]            // longer than the 40 s track
    [InlineData(0, -5, HttpStatusCode.BadRequest)]
    public async Task Invalid_play_reports_are_refused_and_nothing_is_stored(int trackOverride, int msPlayed, HttpStatusCode expected)
    {
        using var client = _app.CreateClient();
        using var chosen = await client.PutAsJsonAsync("/api/session/listener", new { listenerId = (int?)null, name = "Tester" }, Ct);
        int visitor = (await chosen.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();

        using var response = await client.PostAsJsonAsync("/api/plays",
            new { listenerId = visitor, trackId = trackOverride == 0 ? _catalog.JazzTrack : trackOverride, msPlayed }, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await PlayCountAsync(visitor));
    }

    [Fact]
    public async Task A_play_dated_before_the_track_came_out_or_without_ids_is_refused_with_the_reason()
    {
        using var client = _app.CreateClient();
        using var chosen = await client.PutAsJsonAsync("/api/session/listener", new { listenerId = (int?)null, name = "Tester" }, Ct);
        int visitor = (await chosen.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();

        using var early = await client.PostAsJsonAsync("/api/plays",
            new { listenerId = visitor, trackId = _catalog.JazzTrack, msPlayed = 30_000, startedAt = "1900-01-01T00:00:00Z" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Contains("before the track was released", (await early.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // An empty body is missing its ids; before, it read as a play for someone else's listener (403).
        using var empty = await client.PostAsJsonAsync("/api/plays", new { }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("listenerId and trackId are required", (await empty.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await PlayCountAsync(visitor));
    }

    [Theory]
    [InlineData("{\"listenerId\": 1, \"trackId\": ")]                                  // truncated JSON
    [InlineData("{\"listenerId\": 1, \"trackId\": 1, \"msPlayed\": 10, \"source\": \"Loudspeaker\"}")] // unknown enum name
    public async Task A_malformed_play_body_is_a_400_problem_not_a_500(string body)
    {
        using var client = _app.CreateClient();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/api/plays", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Enums_travel_as_names()
    {
        using var client = _app.CreateClient();
        using var plays = JsonDocument.Parse(await client.GetStringAsync($"/api/listeners/{_catalog.Persona}/plays", Ct));
        Assert.Equal("Simulated", plays.RootElement.GetProperty("items")[0].GetProperty("source").GetString());
    }

    [Fact]
    public async Task Fifty_concurrent_clients_posting_plays_store_every_accepted_play_exactly_once()
    {
        const int clients = 50;
        var accepted = new ConcurrentDictionary<int, int>();
        var ids = new ConcurrentBag<long>();
        var deadline = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = Ct }, async (i, ct) =>
        {
            using var client = _app.CreateClient();
            using var chosen = await client.PutAsJsonAsync("/api/session/listener", new { listenerId = (int?)null, name = $"Load {i}" }, ct);
            int listener = (await chosen.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt32();
            accepted[listener] = 0;
            // Bounded in count and in time.
            for (int n = 0; n < 20 && deadline.Elapsed < TimeSpan.FromSeconds(20); n++)
            {
                using var response = await client.PostAsJsonAsync("/api/plays",
                    new { listenerId = listener, trackId = n % 2 == 0 ? _catalog.JazzTrack : _catalog.ShortTrack, msPlayed = 1000 + n }, ct);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    accepted.AddOrUpdate(listener, 1, (_, c) => c + 1);
                    ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64());
                }
            }
        });

        Assert.True(ids.Count >= clients, $"only {ids.Count} plays were accepted");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var (listener, count) in accepted)
        {
            Assert.Equal(count, await PlayCountAsync(listener));
        }
    }

    private async Task<int> PlayCountAsync(int listenerId)
    {
        var contexts = _app.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(Ct);
        return await db.Plays.CountAsync(p => p.ListenerId == listenerId, Ct);
    }

}
