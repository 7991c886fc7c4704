using System.Net;
using System.Text.Json;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Recommenders;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Recommenders.Popularity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests.Api;

public sealed class RecommendationApiTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClient();
    private readonly TestCatalog _catalog = fixture.Catalog;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Popularity_checkpoint_ranks_unheard_tracks_by_count_and_a_skip_is_not_heard()
    {
        // A popularity checkpoint as the training job writes it: counts per item and the items' track ids.
        string relative = Path.Combine("recommenders", "pop-test");
        string directory = fixture.CheckpointDirectory(relative);
        new PopularityRecommender([5, 3, 1]).Save(directory);
        await fixture.RegisterCheckpointAsync("pop", relative);

        using var json = JsonDocument.Parse(await _client.GetStringAsync($"/api/listeners/{_catalog.Persona}/recommendations?model=pop&k=5", Ct));
        var root = json.RootElement;
        Assert.Equal("pop", root.GetProperty("model").GetString());
        // The persona heard the jazz track (counted plays); the short track was only skipped, so it is still new.
        Assert.Equal(1, root.GetProperty("historyLength").GetInt32());
        var items = root.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([_catalog.RockTrack, _catalog.ShortTrack], items.Select(i => i.GetProperty("id").GetInt32()));
        Assert.Equal("Gear Shift", items[0].GetProperty("title").GetString());
        Assert.Equal("rock", items[0].GetProperty("genre").GetString());
        Assert.Equal(2, root.GetProperty("total").GetInt32());

        using var models = JsonDocument.Parse(await _client.GetStringAsync("/api/recommenders", Ct));
        Assert.Contains(models.RootElement.EnumerateArray(), m => m.GetProperty("pair").GetProperty("model").GetString() == "pop");
    }

    [Fact]
    public async Task Radio_takes_the_best_recommendation_not_yet_queued_and_stops_when_none_is_left()
    {
        string relative = Path.Combine("recommenders", "pop-radio");
        new PopularityRecommender([5, 3, 1]).Save(fixture.CheckpointDirectory(relative));
        await fixture.RegisterCheckpointAsync("pop", relative);
        var queries = fixture.App.Services.GetRequiredService<Features.Recommendations.RecommendationQueries>();
        var pop = new RecommenderPair("pop", null);

        // The persona heard the jazz track: the rock track comes first, then the short one, then nothing.
        Assert.Equal(_catalog.RockTrack, (await queries.NextForRadioAsync(_catalog.Persona, pop, new HashSet<int>(), Ct))?.Id);
        Assert.Equal(_catalog.ShortTrack, (await queries.NextForRadioAsync(_catalog.Persona, pop, new HashSet<int> { _catalog.RockTrack }, Ct))?.Id);
        Assert.Null(await queries.NextForRadioAsync(_catalog.Persona, pop, new HashSet<int> { _catalog.RockTrack, _catalog.ShortTrack }, Ct));
        // A pair that was never trained leaves the queue alone rather than failing the player.
        Assert.Null(await queries.NextForRadioAsync(_catalog.Persona, new RecommenderPair("bert4rec", "mfcc"), new HashSet<int>(), Ct));
    }

    [Fact]
    public async Task A_bert4rec_checkpoint_of_an_older_layout_is_reported_as_needing_retraining()
    {
        // A real (tiny) BERT4Rec checkpoint, then its description rewritten as versions before the layout field wrote it.
        string relative = Path.Combine("recommenders", "bert4rec-old-layout");
        string directory = fixture.CheckpointDirectory(relative);
        var tiny = new Bert4RecOptions { Hidden = 8, Heads = 1, FeedForward = 8, MaxLength = 4, MaxEpochs = 1 };
        using (var model = new Bert4RecTrainer(tiny, TorchSharp.torch.CPU).Train(new TrainingData(3, [[0, 1, 2], [1, 2, 0]], [], null), null, Ct))
        {
            model.Save(directory);
        }

        string description = Path.Combine(directory, "bert4rec.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(description, Ct))!.AsObject();
        Assert.True(json.Remove("layout"));
        await File.WriteAllTextAsync(description, json.ToJsonString(), Ct);
        await fixture.RegisterCheckpointAsync("bert4rec", relative);

        using var response = await _client.GetAsync($"/api/listeners/{_catalog.Persona}/recommendations?model=bert4rec&backend=random", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("older layout", body, StringComparison.Ordinal);
        Assert.Contains("retrain", body, StringComparison.Ordinal);
        // Asking again reads the checkpoint again (a failed load is not cached) and answers the same.
        using var again = await _client.GetAsync($"/api/listeners/{_catalog.Persona}/recommendations?model=bert4rec&backend=random", Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("older layout", await again.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_whose_files_are_missing_is_reported_and_served_once_they_are_back()
    {
        // The row exists, its directory does not (an operator cleared the data folder's checkpoints).
        string relative = Path.Combine("recommenders", "pop-missing");
        var row = await fixture.RegisterCheckpointAsync("pop", relative, DateTimeOffset.UtcNow.AddDays(1), writeItems: false);
        try
        {
            await ServedOnceTheFilesAreWholeAsync(relative);
        }
        finally
        {
            // The other popularity test of this class must be served its own checkpoint.
            var contexts = fixture.App.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>();
            await using var db = await contexts.CreateDbContextAsync(Ct);
            db.TrainedModels.Remove(row);
            await db.SaveChangesAsync(Ct);
        }
    }

    private async Task ServedOnceTheFilesAreWholeAsync(string relative)
    {

        using var missing = await _client.GetAsync($"/api/listeners/{_catalog.Persona}/recommendations?model=pop", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        string body = await missing.Content.ReadAsStringAsync(Ct);
        Assert.Contains("files are missing", body, StringComparison.Ordinal);
        Assert.Contains("retrain", body, StringComparison.Ordinal);

        // A damaged item list is reported the same way.
        new PopularityRecommender([1, 4, 9]).Save(fixture.CheckpointDirectory(relative));
        string items = Path.Combine(fixture.CheckpointDirectory(relative), RecommenderTraining.ItemsFile);
        await File.WriteAllTextAsync(items, "[1, 2,", Ct);
        using var damaged = await _client.GetAsync($"/api/listeners/{_catalog.Persona}/recommendations?model=pop", Ct);
        Assert.Equal(HttpStatusCode.NotFound, damaged.StatusCode);
        Assert.Contains("cannot be served", await damaged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The failed loads are not kept: with the files whole, this checkpoint serves (its counts put the short
        // track before the rock one, unlike the other popularity checkpoint of this class).
        await File.WriteAllTextAsync(items, JsonSerializer.Serialize(new[] { _catalog.JazzTrack, _catalog.RockTrack, _catalog.ShortTrack }), Ct);
        using var json = JsonDocument.Parse(await _client.GetStringAsync($"/api/listeners/{_catalog.Persona}/recommendations?model=pop&k=5", Ct));
        Assert.Equal([_catalog.ShortTrack, _catalog.RockTrack], json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt32()));
    }

    [Theory]
    [InlineData("/api/listeners/999999/recommendations", HttpStatusCode.NotFound, "listener")]
    [InlineData("/api/listeners/{persona}/recommendations?k=0", HttpStatusCode.BadRequest, "k must be")]
    [InlineData("/api/listeners/{persona}/recommendations?k=5000", HttpStatusCode.BadRequest, "k must be")]
    [InlineData("/api/listeners/{persona}/recommendations?model=bert4rec&backend=mfcc", HttpStatusCode.NotFound, "train-recommender")]
    [InlineData("/api/listeners/{persona}/recommendations?model=sasrec", HttpStatusCode.BadRequest, "Known: pop, knn, shallow-net, bert4rec")]
    [InlineData("/api/listeners/{persona}/recommendations?model=bert4rec&backend=nonsense", HttpStatusCode.BadRequest, "backend must be one of mfcc, musicnn-msd")]
    [InlineData("/api/listeners/{persona}/recommendations?model=knn&backend=random", HttpStatusCode.BadRequest, "'knn' needs a backend")]
    public async Task Bad_requests_are_problem_details(string url, HttpStatusCode status, string detail)
    {
        using var response = await _client.GetAsync(url.Replace("{persona}", _catalog.Persona.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
