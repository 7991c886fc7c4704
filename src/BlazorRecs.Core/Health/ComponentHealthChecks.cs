using System.Security.Cryptography;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Media;
using BlazorRecs.Core.Onnx;
using BlazorRecs.Core.Torch;
using BlazorRecs.Faiss;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TorchSharp;

namespace BlazorRecs.Core.Health;

/// <summary>Builds check results whose data carries the component's version, as /healthz reports it.</summary>
internal static class ComponentResult
{
    public const string VersionKey = "version";

    public static HealthCheckResult Ok(string version, string detail) =>
        HealthCheckResult.Healthy(detail, new Dictionary<string, object> { [VersionKey] = version });

    public static HealthCheckResult Degraded(string version, string detail) =>
        HealthCheckResult.Degraded(detail, data: new Dictionary<string, object> { [VersionKey] = version });
}

/// <summary>SQLite answers a query, and all migrations are applied.</summary>
public sealed class SqliteHealthCheck(IDbContextFactory<BlazorRecsDbContext> contexts) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        string version = (await db.Database.SqlQueryRaw<string>("SELECT sqlite_version() AS Value").ToListAsync(cancellationToken))[0];
        string mode = (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(cancellationToken))[0];
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        int tracks = await db.Tracks.CountAsync(cancellationToken);
        string detail = $"journal_mode={mode}, {tracks} tracks, {pending.Count} pending migration(s)";
        return pending.Count == 0 ? ComponentResult.Ok(version, detail) : ComponentResult.Degraded(version, detail);
    }
}

/// <summary>ffmpeg and ffprobe start and report their versions.</summary>
public sealed class FfmpegHealthCheck(Ffmpeg ffmpeg) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string version = await ffmpeg.GetFfmpegVersionAsync(cancellationToken);
        string probe = await ffmpeg.GetFfprobeVersionAsync(cancellationToken);
        return ComponentResult.Ok(version, $"ffmpeg {version}, ffprobe {probe}, run as child processes");
    }
}

/// <summary>The FAISS shim loads and answers a search.</summary>
public sealed class FaissHealthCheck : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var index = FaissIndex.Create(2, "Flat", FaissMetric.InnerProduct);
        index.Add([1f, 0f, 0f, 1f], [10, 20]);
        long best = index.Search([0f, 1f], 1).IdsOf(0)[0];
        return Task.FromResult(best == 20
            ? ComponentResult.Ok(FaissIndex.NativeVersion, "libfaiss (Debian, static) through the BlazorRecs shim; flat search answered")
            : HealthCheckResult.Unhealthy($"flat search returned id {best}, expected 20"));
    }
}

/// <summary>libtorch loads, computes on the configured device, and reports versions and threads.</summary>
public sealed class TorchHealthCheck(TorchRuntime runtime) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]).to(runtime.Device);
        float trace = a.matmul(a).trace().cpu().item<float>(); // [[7,10],[15,22]] -> 29
        string detail = $"TorchSharp {TorchRuntime.TorchSharpVersion}, libtorch {TorchRuntime.LibTorchVersion}, " +
                        $"device {runtime.Device.type.ToString().ToLowerInvariant()} ({runtime.DeviceDetail}), {TorchRuntime.Threads} threads; {runtime.NativeHeapDetail}";
        return Task.FromResult(Math.Abs(trace - 29f) < 1e-4
            ? ComponentResult.Ok(TorchRuntime.TorchSharpVersion, detail)
            : HealthCheckResult.Unhealthy($"a 2x2 matmul gave trace {trace}, expected 29; {detail}"));
    }
}

/// <summary>ONNX Runtime loads and the configured device's execution provider is present.</summary>
public sealed class OnnxRuntimeHealthCheck(OnnxRuntimeHost host) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string detail = $"providers: {string.Join(", ", OnnxRuntimeHost.AvailableProviders)}; sessions use {host.SelectedProvider}";
        return Task.FromResult(ComponentResult.Ok(OnnxRuntimeHost.Version, detail));
    }
}

/// <summary>Which pretrained models are in ModelsDirectory. Missing models degrade the app (their backends are
/// unavailable) but do not fail it.</summary>
public sealed class ModelsHealthCheck(PretrainedModelFiles files) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var present = new List<string>();
        var problems = new List<string>();
        var versions = new List<string>();
        foreach (var model in PretrainedModelFiles.Known)
        {
            if (files.Missing(model).Count > 0)
            {
                problems.Add($"{model.Id}: {files.HowToGet(model)}");
                continue;
            }

            present.Add(model.Id);
            versions.Add($"{model.Id}@{await ShortHashAsync(files.PathOf(model.RelativeFiles[0]), cancellationToken)}");
        }

        string version = versions.Count > 0 ? string.Join(",", versions) : "none";
        return problems.Count == 0
            ? ComponentResult.Ok(version, $"{files.Directory}: {string.Join(", ", present)} available")
            : ComponentResult.Degraded(version, string.Join(" ", problems));
    }

    private static async Task<string> ShortHashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash)[..12];
    }
}
