using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BlazorRecs.Core.Health;

/// <summary>Renders a health report as <c>{"status": "ok"|"degraded"|"failed", "components": {name: {status, version,
/// detail}}}</c>, the shape operators and checks read from /healthz and <c>blazorrecs doctor</c>.</summary>
public static class HealthReportJson
{
    /// <summary>The report as a JSON object.</summary>
    public static JsonObject ToJson(HealthReport report)
    {
        var components = new JsonObject();
        foreach (var (name, entry) in report.Entries)
        {
            string detail = entry.Description ?? "";
            if (entry.Exception is { } ex && !detail.Contains(ex.Message, StringComparison.Ordinal))
            {
                detail = string.IsNullOrEmpty(detail) ? ex.Message : $"{detail}: {ex.Message}";
            }

            components[name] = new JsonObject
            {
                ["status"] = Word(entry.Status),
                ["version"] = entry.Data.TryGetValue(ComponentResult.VersionKey, out object? v) ? v.ToString() : null,
                ["detail"] = detail,
                ["durationMs"] = Math.Round(entry.Duration.TotalMilliseconds, 1),
            };
        }

        return new JsonObject { ["status"] = Word(report.Status), ["components"] = components };
    }

    /// <summary>The report as indented JSON text.</summary>
    public static string ToJsonString(HealthReport report) =>
        ToJson(report).ToJsonString(Indented);

    // Relaxed escaping keeps versions such as 5.1.9-0+deb12u1 readable; the body is served as application/json.
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The word the report uses for a status.</summary>
    public static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "failed",
    };
}
