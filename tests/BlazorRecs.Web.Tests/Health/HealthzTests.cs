using System.Net;
using System.Text.Json;
using BlazorRecs.TestSupport;

namespace BlazorRecs.Web.Tests.Health;

public sealed class HealthzTests
{
    [Fact]
    public async Task Healthz_reports_every_component_ok_with_a_version()
    {
        SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx");
        await using var app = new BlazorRecsAppFactory();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var components = json.RootElement.GetProperty("components");
        foreach (string name in new[] { "sqlite", "ffmpeg", "faiss", "torch", "onnxruntime", "models" })
        {
            var component = components.GetProperty(name);
            Assert.True(component.GetProperty("status").GetString() == "ok", $"{name}: {component}");
            Assert.False(string.IsNullOrWhiteSpace(component.GetProperty("version").GetString()), name);
            Assert.False(string.IsNullOrWhiteSpace(component.GetProperty("detail").GetString()), name);
        }

        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.StartsWith("0.107", components.GetProperty("torch").GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Contains("libtorch 2.10", components.GetProperty("torch").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("native heap", components.GetProperty("torch").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("1.31.1", components.GetProperty("onnxruntime").GetProperty("version").GetString());
        Assert.Contains("journal_mode=wal", components.GetProperty("sqlite").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_models_degrade_the_report_but_it_still_answers_200_and_says_where_to_get_them()
    {
        string empty = Directory.CreateTempSubdirectory("blazorrecs-nomodels-").FullName;
        try
        {
            await using var app = new BlazorRecsAppFactory(new Dictionary<string, string?> { ["BlazorRecs:ModelsDirectory"] = empty });
            using var client = app.CreateClient();

            using var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("degraded", json.RootElement.GetProperty("status").GetString());
            var models = json.RootElement.GetProperty("components").GetProperty("models");
            Assert.Equal("degraded", models.GetProperty("status").GetString());
            string detail = models.GetProperty("detail").GetString()!;
            Assert.Contains("msd-musicnn-1.onnx", detail, StringComparison.Ordinal);
            Assert.Contains("essentia.upf.edu", detail, StringComparison.Ordinal);
            Assert.Contains(empty, detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task Cuda_configured_on_a_cpu_build_reports_torch_failed_and_keeps_serving()
    {
        await using var app = new BlazorRecsAppFactory(new Dictionary<string, string?> { ["BlazorRecs:Device"] = "cuda" });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var torch = json.RootElement.GetProperty("components").GetProperty("torch");
        Assert.Equal("failed", torch.GetProperty("status").GetString());
        Assert.Contains("BlazorRecs:Device", torch.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", json.RootElement.GetProperty("status").GetString());
        // The UI is still served.
        using var home = await client.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task Backends_list_id_dimension_version_and_status()
    {
        SharedFolder.Require("models/musicnn/msd-musicnn-1.onnx");
        await using var app = new BlazorRecsAppFactory();
        using var client = app.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/backends", TestContext.Current.CancellationToken));

        var backends = json.RootElement.EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        Assert.Equal(104, backends["mfcc"].GetProperty("dimension").GetInt32());
        Assert.Equal("Available", backends["mfcc"].GetProperty("status").GetString());
        Assert.Equal(200, backends["musicnn-msd"].GetProperty("dimension").GetInt32());
        Assert.Equal("Available", backends["musicnn-msd"].GetProperty("status").GetString());
        Assert.StartsWith("msd-musicnn-1@", backends["musicnn-msd"].GetProperty("version").GetString(), StringComparison.Ordinal);
    }
}
