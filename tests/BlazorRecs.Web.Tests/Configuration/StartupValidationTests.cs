namespace BlazorRecs.Web.Tests.Configuration;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("BlazorRecs:Device", "gpu")]
    [InlineData("BlazorRecs:TorchThreads", "-3")]
    [InlineData("BlazorRecs:TorchThreads", "many")]
    [InlineData("BlazorRecs:DataDirectory", "")]
    [InlineData("BlazorRecs:Media:TimeoutSeconds", "0")]
    public async Task A_malformed_option_stops_startup_with_a_message_naming_the_key(string key, string value)
    {
        await using var app = new BlazorRecsAppFactory(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        string messages = string.Join(" | ", Flatten(ex).Select(e => e.Message));
        Assert.Contains(key, messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
