namespace BlazorRecs.Web.Tests.Api;

/// <summary>The home page as the server renders it: a tour of the demo over a catalog, directions over an empty one.</summary>
public sealed class HomePageTests(CatalogAppFixture fixture) : IClassFixture<CatalogAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_a_catalog_it_counts_it_and_points_to_each_part_of_the_demo()
    {
        using var client = fixture.App.CreateClient();

        string html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/", Ct));

        Assert.Matches("data-testid=\"track-count\"[^>]*>3<", html);
        string tour = html[html.IndexOf("data-testid=\"tour\"", StringComparison.Ordinal)..];
        foreach (string page in new[] { "browse", "history", "for-you", "compare", "upload", "evaluate" })
        {
            Assert.Contains($"href=\"{page}\"", tour, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("data-testid=\"empty-catalog\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_an_empty_catalog_it_says_how_a_catalog_arrives_instead()
    {
        await using var app = new BlazorRecsAppFactory();
        using var client = app.CreateClient();

        string html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/", Ct));

        string empty = html[html.IndexOf("data-testid=\"empty-catalog\"", StringComparison.Ordinal)..];
        Assert.Contains("seeds the demo catalog on its first start", empty, StringComparison.Ordinal);
        Assert.Contains("href=\"jobs\"", empty, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"tour\"", html, StringComparison.Ordinal);
    }
}
