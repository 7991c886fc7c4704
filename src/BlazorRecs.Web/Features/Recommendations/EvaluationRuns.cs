using System.Text.Json;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Recommenders;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Web.Features.Recommendations;

/// <summary>A saved evaluation run as the Evaluate page shows it.</summary>
public sealed record EvaluationRunView(int Id, DateTimeOffset CreatedAt, string Dataset, JsonElement Settings, IReadOnlyList<EvaluationRunRow> Rows);

/// <summary>Reads saved evaluation runs, newest first.</summary>
public sealed class EvaluationRuns(IDbContextFactory<BlazorRecsDbContext> contexts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The newest <paramref name="count"/> runs.</summary>
    public async Task<IReadOnlyList<EvaluationRunView>> RecentAsync(int count, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = await db.EvaluationRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(count).ToListAsync(ct);
        return runs.Select(r => new EvaluationRunView(r.Id, r.CreatedAt, r.Dataset,
            JsonSerializer.Deserialize<JsonElement>(r.SettingsJson, Json),
            JsonSerializer.Deserialize<List<EvaluationRunRow>>(r.ResultsJson, Json) ?? [])).ToList();
    }
}
