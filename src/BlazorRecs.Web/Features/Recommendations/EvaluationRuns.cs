using System.Text.Json;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Recommenders;
using Microsoft.EntityFrameworkCore;

namespace BlazorRecs.Web.Features.Recommendations;

/// <summary>A saved evaluation run as the Evaluate page shows it.</summary>
public sealed record EvaluationRunView(int Id, DateTimeOffset CreatedAt, string Dataset, JsonElement Settings, IReadOnlyList<EvaluationRunRow> Rows);

/// <summary>Reads saved evaluation runs, newest first.</summary>
public sealed class EvaluationRuns(IDbContextFactory<BlazorRecsDbContext> contexts, ILogger<EvaluationRuns> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The newest <paramref name="count"/> runs. A run whose saved JSON cannot be read is left out (and
    /// logged, and left in the database), so one damaged row does not take the page down.</summary>
    public async Task<IReadOnlyList<EvaluationRunView>> RecentAsync(int count, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = await db.EvaluationRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(count).ToListAsync(ct);
        var views = new List<EvaluationRunView>(runs.Count);
        foreach (var r in runs)
        {
            try
            {
                views.Add(new EvaluationRunView(r.Id, r.CreatedAt, r.Dataset,
                    JsonSerializer.Deserialize<JsonElement>(r.SettingsJson, Json),
                    JsonSerializer.Deserialize<List<EvaluationRunRow>>(r.ResultsJson, Json) ?? []));
            }
            catch (JsonException ex)
            {
                logger.LogWarning("Saved evaluation run {Id} cannot be read and is not shown: {Reason}", r.Id, ex.Message);
            }
        }

        return views;
    }
}
