using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace BlazorRecs.Web.Tests.Api;

public sealed class CatalogApiTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>, IDisposable
{
    private readonly TestCatalog _catalog = fixture.Catalog;
    private readonly HttpClient _client = fixture.App.CreateClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Track_list_has_total_and_items_with_the_documented_fields()
    {
        using var json = await GetJsonAsync("/api/tracks");

        Assert.Equal(3, json.RootElement.GetProperty("total").GetInt32());
        var first = json.RootElement.GetProperty("items")[0];
        foreach (string field in new[] { "id", "title", "artist", "album", "genre" })
        {
            Assert.True(first.TryGetProperty(field, out _), $"missing {field}: {first}");
        }

        // Sorted by counted plays: the jazz track has two, the skip does not count.
        Assert.Equal(_catalog.JazzTrack, first.GetProperty("id").GetInt32());
        Assert.Equal(2, first.GetProperty("plays").GetInt32());
    }

    [Theory]
    [InlineData("query=modal", 1)]        // title
    [InlineData("query=LOUD", 1)]         // artist, case-insensitive
    [InlineData("query=night", 2)]        // album
    [InlineData("query=100%25", 0)]       // a literal % is not a wildcard
    [InlineData("genre=jazz", 2)]
    [InlineData("genre=jazz&query=blues", 1)]
    public async Task Search_matches_title_artist_and_album_and_filters_by_genre(string queryString, int expected)
    {
        using var json = await GetJsonAsync($"/api/tracks?{queryString}");
        Assert.Equal(expected, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(expected, json.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Newest_sort_and_paging_work()
    {
        using var json = await GetJsonAsync("/api/tracks?sort=newest&page=1&pageSize=1");
        Assert.Equal(3, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(_catalog.RockTrack, json.RootElement.GetProperty("items")[0].GetProperty("id").GetInt32());

        using var page3 = await GetJsonAsync("/api/tracks?sort=newest&page=3&pageSize=1");
        Assert.Equal(1, page3.RootElement.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/tracks?sort=loudest", HttpStatusCode.BadRequest)]
    [InlineData("/api/tracks?pageSize=100000", HttpStatusCode.BadRequest)]
    [InlineData("/api/tracks/999999", HttpStatusCode.NotFound)]
    [InlineData("/api/tracks/999999/audio", HttpStatusCode.NotFound)]
    [InlineData("/api/albums/999999", HttpStatusCode.NotFound)]
    [InlineData("/api/artists/999999", HttpStatusCode.NotFound)]
    [InlineData("/api/listeners/999999/plays", HttpStatusCode.NotFound)]
    [InlineData("/api/tracks/not-a-number", HttpStatusCode.NotFound)]
    [InlineData("/api/no-such-endpoint", HttpStatusCode.NotFound)]
    public async Task Bad_requests_and_unknown_ids_are_problem_details_never_500(string url, HttpStatusCode expected)
    {
        using var response = await _client.GetAsync(url, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_unknown_page_address_shows_the_apps_not_found_page_with_a_404()
    {
        using var response = await _client.GetAsync("/no/such/page", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        string html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("There is nothing at this address", html, StringComparison.Ordinal);
        // Within the app's layout: its navigation is there to go on from.
        Assert.Contains("href=\"evaluate\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Track_details_include_album_and_counts()
    {
        using var json = await GetJsonAsync($"/api/tracks/{_catalog.JazzTrack}");
        Assert.Equal("Modal Walk", json.RootElement.GetProperty("title").GetString());
        Assert.Equal("Night Sessions", json.RootElement.GetProperty("album").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("listeners").GetInt32());

        // Listeners count those of counted plays, as plays do: the short track was only skipped.
        using var skipped = await GetJsonAsync($"/api/tracks/{_catalog.ShortTrack}");
        Assert.Equal((0, 0), (skipped.RootElement.GetProperty("plays").GetInt32(), skipped.RootElement.GetProperty("listeners").GetInt32()));
    }

    [Fact]
    public async Task Audio_is_served_whole_with_accept_ranges_and_the_right_content_type()
    {
        using var response = await _client.GetAsync($"/api/tracks/{_catalog.JazzTrack}/audio", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.Equal(_catalog.Mp3Bytes, (await response.Content.ReadAsByteArrayAsync(Ct)).Length);
    }

    [Theory]
    [InlineData(0L, 99L, 0L, 99L)]        // a closed range
    [InlineData(100L, null, 100L, -1L)]   // open-ended: to the last byte
    [InlineData(null, 50L, -50L, -1L)]    // suffix: the last 50 bytes
    public async Task Audio_ranges_answer_206_with_the_requested_bytes(long? from, long? to, long expectedFrom, long expectedTo)
    {
        byte[] whole = await _client.GetByteArrayAsync($"/api/tracks/{_catalog.JazzTrack}/audio", Ct);
        long size = whole.Length;
        long first = expectedFrom < 0 ? size + expectedFrom : expectedFrom;
        long last = expectedTo < 0 ? size - 1 : expectedTo;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tracks/{_catalog.JazzTrack}/audio");
        request.Headers.Range = new RangeHeaderValue(from, to);

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(first, response.Content.Headers.ContentRange?.From);
        Assert.Equal(last, response.Content.Headers.ContentRange?.To);
        Assert.Equal(size, response.Content.Headers.ContentRange?.Length);
        byte[] body = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(whole.AsSpan((int)first, (int)(last - first + 1)).ToArray(), body);
    }

    [Fact]
    public async Task An_unsatisfiable_audio_range_answers_416()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tracks/{_catalog.JazzTrack}/audio");
        request.Headers.Range = new RangeHeaderValue(_catalog.Mp3Bytes + 10, null);

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal(_catalog.Mp3Bytes, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Album_and_artist_pages_data_are_served()
    {
        using var album = await GetJsonAsync($"/api/albums/{_catalog.AlbumId}");
        Assert.Equal(2, album.RootElement.GetProperty("tracks").GetArrayLength());
        int artistId = album.RootElement.GetProperty("artistId").GetInt32();
        using var artist = await GetJsonAsync($"/api/artists/{artistId}");
        Assert.Equal("Blue Quartet", artist.RootElement.GetProperty("name").GetString());
        Assert.Equal(1, artist.RootElement.GetProperty("albums").GetArrayLength());
    }

    [Fact]
    public async Task Genres_list_the_catalog_genres()
    {
        var genres = await _client.GetFromJsonAsync<string[]>("/api/genres", Ct);
        Assert.Equal(["jazz", "rock"], genres!);
    }

    private async Task<JsonDocument> GetJsonAsync(string url)
    {
        using var response = await _client.GetAsync(url, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    public void Dispose() => _client.Dispose();
}
