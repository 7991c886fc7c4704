using System.Text.Json;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Evaluation;
using BlazorRecs.Core.Recommenders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests.Api;

/// <summary>The Evaluate and For you pages as the server renders them.</summary>
public sealed class RecommendationPagesTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClient();

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Evaluate_page_shows_the_newest_saved_run_with_intervals()
    {
        var hot = new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(0.7628, 0.0570, 215), ["Recall@50"] = new(0.5304, 0.05, 215), ["NDCG@50"] = new(0.222, 0.0275, 215) };
        var cold = new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(1, 0, 132), ["Recall@50"] = new(1, 0, 132), ["NDCG@50"] = new(0.5319, 0.0377, 132) };
        // Against random init: a clear hot HR@50 gain, an NDCG@50 difference that could be chance, and a Recall@50
        // gain whose interval alone excludes 0 (p .039) but which does not hold beside the other row's (Holm).
        var versus = new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(0.074, 0.03, 215), ["Recall@50"] = new(0.02, 0.019, 215), ["NDCG@50"] = new(-0.005, 0.02, 215) };
        var other = new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(0.006, 0.05, 215), ["Recall@50"] = new(0, 0.05, 215), ["NDCG@50"] = new(0, 0.02, 215) };
        var rows = new[]
        {
            new EvaluationRunRow("bert4rec", "musicnn-msd", hot, cold, 215, 132, versus,
                new Dictionary<string, MeanWithInterval> { ["HR@50"] = new(0, 0, 132), ["Recall@50"] = new(0, 0, 132), ["NDCG@50"] = new(0.19, 0.05, 132) }),
            new EvaluationRunRow("bert4rec", "mfcc", hot, cold, 215, 132, other, null),
            new EvaluationRunRow("bert4rec", RecommenderPair.RandomInit, hot, cold, 215, 132),
            new EvaluationRunRow("pop", "–", hot, null, 215, 0),
        };
        var contexts = fixture.App.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            db.EvaluationRuns.Add(new EvaluationRun
            {
                Dataset = "catalog",
                SettingsJson = """{"cutoff":"2026-09-30T00:00:00+00:00","items":500,"listeners":997,"coldTracks":33}""",
                ResultsJson = JsonSerializer.Serialize(rows, Web),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync(Ct);
        }

        // A newer run whose saved results are damaged is left out; the page still shows the readable one.
        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            db.EvaluationRuns.Add(new EvaluationRun { Dataset = "catalog", SettingsJson = "{}", ResultsJson = "[{\"model\": ", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        string html = System.Net.WebUtility.HtmlDecode(await _client.GetStringAsync("/evaluate", Ct));
        Assert.Contains("data-testid=\"evaluation-table\"", html, StringComparison.Ordinal);
        Assert.Contains("musicnn-msd", html, StringComparison.Ordinal);
        Assert.Matches(@"0\.763</(span|b)><span[^>]*>±0\.057<", html);
        Assert.Matches(@"0\.532</(span|b)><span[^>]*>±0\.038<", html);
        // The paired table: the audio rows only, a clear gain in bold with the interval, the others plain. Cold: with
        // 33 cold tracks every list of 50 holds them all, so HR and Recall differ by 0 by construction and show a dash;
        // NDCG shows; the second row saved no cold differences.
        string paired = html[html.IndexOf("data-testid=\"paired-table\"", StringComparison.Ordinal)..];
        paired = paired[..paired.IndexOf("</table>", StringComparison.Ordinal)];
        Assert.Matches(@"<b>\+0\.074</b><br\s*/?><span[^>]*>\[\+\.044, \+\.104\]<", paired);
        Assert.Matches(@"<span>-0\.005</span><br\s*/?><span[^>]*>\[-\.025, \+\.015\]<", paired);
        Assert.Matches(@"<span>\+0\.020</span><br\s*/?><span[^>]*>\[\+\.001, \+\.039\]<", paired);
        Assert.DoesNotContain("random init", paired[paired.IndexOf("<tbody>", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Matches(@"<b>\+0\.190</b>", paired);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Count(paired, "<td[^>]*>–</td>"));
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Count(paired, "title=\"every cold list of 50 holds all 33 cold tracks\""));
        // 33 cold tracks at K = 50: the page says why cold HR is 1.
        Assert.Contains("Only 33 cold tracks", html, StringComparison.Ordinal);
        // The bar chart draws the NDCGs (at most .53) scaled to read on whole ticks: an axis topped near 6, not 20.
        Assert.Contains("NDCG@50 (× 10)", html, StringComparison.Ordinal);
        string chart = html[html.IndexOf("data-testid=\"evaluation-chart\"", StringComparison.Ordinal)..];
        Assert.InRange(Components.ChartScaleTests.TopTick(chart[..chart.IndexOf("</svg>", StringComparison.Ordinal)]), 5.319, 7);
    }

    [Fact]
    public async Task For_you_without_a_listener_asks_to_choose_one()
    {
        string html = await _client.GetStringAsync("/for-you", Ct);
        Assert.Contains("Choose who you listen as", html, StringComparison.Ordinal);
    }
}
