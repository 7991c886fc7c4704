using System.Net;
using System.Text.Json;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Embeddings.Musicnn;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests.Api;

public sealed class SimilarityApiTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>, IAsyncLifetime
{
    private readonly HttpClient _client = fixture.App.CreateClient();
    private readonly TestCatalog _catalog = fixture.Catalog;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Hand-made MusiCNN-sized vectors: the two jazz tracks point the same way, the rock track elsewhere.
    public async ValueTask InitializeAsync()
    {
        var store = fixture.App.Services.GetRequiredService<EmbeddingStore>();
        await store.UpsertBackendAsync(new BackendInfo(MusicnnBackend.BackendId, "musicnn", 200, "v-test", BackendStatus.Available, "", 16000, true), Ct);
        var tags = new float[50];
        tags[MusicnnModel.TagNames.ToList().IndexOf("jazz")] = 0.6f;
        tags[MusicnnModel.TagNames.ToList().IndexOf("blues")] = 0.3f;
        await store.SaveAsync(_catalog.JazzTrack, MusicnnBackend.BackendId, "v-test", new AudioEmbedding(Vector(0, 1), tags), Ct);
        await store.SaveAsync(_catalog.ShortTrack, MusicnnBackend.BackendId, "v-test", new AudioEmbedding(Vector(0, 0.9f), tags), Ct);
        await store.SaveAsync(_catalog.RockTrack, MusicnnBackend.BackendId, "v-test", new AudioEmbedding(Vector(100, 1), null), Ct);
    }

    [Fact]
    public async Task Similar_tracks_exclude_the_track_and_rank_the_closest_first()
    {
        using var json = JsonDocument.Parse(await _client.GetStringAsync($"/api/tracks/{_catalog.JazzTrack}/similar?backend=musicnn-msd&k=5", Ct));

        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal([_catalog.ShortTrack, _catalog.RockTrack], items.Select(i => i.GetProperty("id").GetInt32()));
        Assert.True(items[0].GetProperty("score").GetSingle() > items[1].GetProperty("score").GetSingle());
        Assert.Equal("jazz", items[0].GetProperty("genre").GetString());
    }

    [Fact]
    public async Task Tags_come_most_probable_first()
    {
        using var json = JsonDocument.Parse(await _client.GetStringAsync($"/api/tracks/{_catalog.JazzTrack}/tags?top=2", Ct));
        Assert.Equal(["jazz", "blues"], json.RootElement.EnumerateArray().Select(t => t.GetProperty("tag").GetString()));
    }

    [Theory]
    [InlineData("/api/tracks/{jazz}/similar?backend=nope", HttpStatusCode.BadRequest)]
    [InlineData("/api/tracks/{jazz}/similar?k=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/tracks/{jazz}/similar?k=100000", HttpStatusCode.BadRequest)]
    [InlineData("/api/tracks/999999/similar", HttpStatusCode.NotFound)]
    [InlineData("/api/tracks/{jazz}/similar?backend=mfcc", HttpStatusCode.Conflict)] // no MFCC vectors yet
    [InlineData("/api/tracks/999999/tags", HttpStatusCode.NotFound)]
    [InlineData("/api/tracks/{jazz}/tags?top=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/tracks/{jazz}/tags?top=51", HttpStatusCode.BadRequest)]
    public async Task Bad_similarity_requests_are_problem_details(string url, HttpStatusCode expected)
    {
        using var response = await _client.GetAsync(url.Replace("{jazz}", _catalog.JazzTrack.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), Ct);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static float[] Vector(float angle, float length)
    {
        var v = new float[200];
        v[0] = length * MathF.Cos(angle * MathF.PI / 180);
        v[1] = length * MathF.Sin(angle * MathF.PI / 180);
        return v;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
