using System.Net;
using System.Text.Json;

namespace BlazorRecs.Web.Tests.Api;

/// <summary>
/// Errors as a deployed app answers them. WebApplicationFactory runs the app in Development, where ASP.NET Core
/// already throws on a request it cannot bind and shows developer pages; these tests run it as Production.
/// </summary>
public sealed class ProductionErrorTests : IAsyncDisposable
{
    private readonly BlazorRecsAppFactory _app = new(environment: "Production");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/tracks?page=abc", "page", "abc")]
    [InlineData("/api/tracks/1/similar?k=lots", "k", "lots")]
    public async Task A_value_the_api_cannot_read_is_a_400_that_names_the_parameter_and_the_value(string url, string parameter, string value)
    {
        using var client = _app.CreateClient();

        using var response = await client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        string detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(parameter, detail, StringComparison.Ordinal);
        Assert.Contains($"\"{value}\"", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_page_address_shows_the_apps_not_found_page_with_a_404()
    {
        using var client = _app.CreateClient();

        using var response = await client.GetAsync("/no/such/page", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
