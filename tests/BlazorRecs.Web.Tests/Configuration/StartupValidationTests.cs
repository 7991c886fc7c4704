using BlazorRecs.Core;
using BlazorRecs.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace BlazorRecs.Web.Tests.Configuration;

/// <summary>
/// Start-time validation, on the app's own composition (what Program.cs builds) started directly on a test server.
/// Not through WebApplicationFactory: it runs a minimal-hosting app's startup on a thread of its own, and when startup
/// fails it can lose the race with the app disposing its services and report "Cannot access a disposed object"
/// instead of the failure (seen here under a loaded CI run; dotnet/aspnetcore#33494).
/// </summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("BlazorRecs:Device", "gpu")]
    [InlineData("BlazorRecs:TorchThreads", "-3")]
    [InlineData("BlazorRecs:TorchThreads", "many")]
    [InlineData("BlazorRecs:DataDirectory", "")]
    [InlineData("BlazorRecs:Media:TimeoutSeconds", "0")]
    [InlineData("BlazorRecs:Bert4Rec:ValidationMetric", "ndcg@10")]
    [InlineData("BlazorRecs:ShallowNet:ValidationMetric", "MAP@10")]
    public async Task A_malformed_option_stops_startup_with_a_message_naming_the_key(string key, string value)
    {
        await WithAppAsync(key, value, async app =>
        {
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(TestContext.Current.CancellationToken));

            string messages = string.Join(" | ", Flatten(ex).Select(e => e.Message));
            Assert.Contains(key, messages, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task The_same_composition_with_valid_settings_starts()
    {
        await WithAppAsync("BlazorRecs:TorchThreads", "1", async app =>
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
            await app.StopAsync(TestContext.Current.CancellationToken);
        });
    }

    private static async Task WithAppAsync(string key, string value, Func<WebApplication, Task> test)
    {
        string dataDirectory = Directory.CreateTempSubdirectory("blazorrecs-startup-").FullName;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(Program).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
            });
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BlazorRecs:DataDirectory"] = dataDirectory,
                ["BlazorRecs:Device"] = "cpu",
                ["BlazorRecs:Seed:OnFirstStart"] = "false",
                [key] = value,
            });
            builder.AddBlazorRecsCore();
            builder.AddBlazorRecsWeb();
            await using var app = builder.Build();
            app.UseBlazorRecsWeb();
            app.MapBlazorRecsApi();
            app.MapBlazorRecsUi();
            await test(app);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await TempDirectory.DeleteAsync(dataDirectory);
        }
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
