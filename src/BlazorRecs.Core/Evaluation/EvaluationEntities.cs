namespace BlazorRecs.Core.Evaluation;

/// <summary>A trained recommender checkpoint for one (model, backend) pair.</summary>
public sealed class TrainedModel
{
    public int Id { get; set; }
    /// <summary>For example <c>bert4rec</c>, <c>shallow-net</c>, <c>knn</c>.</summary>
    public required string Model { get; set; }
    /// <summary>The embedding backend the item table came from; null for random-init variants.</summary>
    public string? BackendId { get; set; }
    /// <summary>The backend version the model was trained against.</summary>
    public string? BackendVersion { get; set; }
    /// <summary>Checkpoint file, relative to the data directory.</summary>
    public required string CheckpointPath { get; set; }
    public string? HyperParametersJson { get; set; }
    public string? MetricsJson { get; set; }
    public long? JobId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A saved offline evaluation (the paper's Table 3 for one catalog and split).</summary>
public sealed class EvaluationRun
{
    public int Id { get; set; }
    /// <summary>The data evaluated, for example <c>catalog</c> or <c>s3rec:Beauty.txt</c>.</summary>
    public required string Dataset { get; set; }
    public required string SettingsJson { get; set; }
    /// <summary>Rows of model x backend with metric means and confidence intervals.</summary>
    public required string ResultsJson { get; set; }
    public long? JobId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
