using System.Text.Json.Serialization;
namespace BlazorRecs.Core.Jobs;

/// <summary>Lifecycle of a long-running job.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>A long-running piece of work (seeding, import, embedding, indexing, training, evaluation).</summary>
public sealed class Job
{
    public long Id { get; set; }
    /// <summary>What the job does, for example <c>seed</c> or <c>embed:musicnn-msd</c>.</summary>
    public required string Kind { get; set; }
    public JobState State { get; set; }
    /// <summary>0 to 1.</summary>
    public double Progress { get; set; }
    public string? Message { get; set; }
    public string? Error { get; set; }
    public string? ParametersJson { get; set; }
    /// <summary>Training curves (loss per epoch and the like) as a JSON array of <see cref="CurvePoint"/>, or null.</summary>
    public string? CurveJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
