using System.Text.Json;
using BlazorRecs.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Importing;

/// <summary>The parameters of both import jobs: the folder or file to import.</summary>
public sealed record ImportJobParameters(string Path);

/// <summary>The "import-folder" job.</summary>
public sealed class ImportFolderJob(FolderImporter importer) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "import-folder";

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <inheritdoc />
    public bool RequiresParameters => true;

    /// <inheritdoc />
    public IReadOnlyList<string> FollowUps => [Embeddings.EmbedTracksJob.JobKind];

    /// <inheritdoc />
    public Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken) =>
        importer.ImportAsync(ImportJobs.PathFrom(parametersJson, "folder"), progress, cancellationToken);
}

/// <summary>The "import-log" job.</summary>
public sealed class ImportLogJob(ListeningLogImporter importer) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "import-log";

    /// <inheritdoc />
    public string Kind => JobKind;

    /// <inheritdoc />
    public bool RequiresParameters => true;

    /// <inheritdoc />
    public Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken) =>
        importer.ImportAsync(ImportJobs.PathFrom(parametersJson, "listening log"), progress, cancellationToken);
}

/// <summary>Registers the importers and their jobs.</summary>
public static class ImportJobs
{
    /// <summary>Adds <see cref="FolderImporter"/>, <see cref="ListeningLogImporter"/> and their jobs.</summary>
    public static IHostApplicationBuilder AddBlazorRecsImporting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FolderImporter>();
        builder.Services.AddSingleton<ListeningLogImporter>();
        builder.Services.AddJobHandler<ImportFolderJob>();
        builder.Services.AddJobHandler<ImportLogJob>();
        return builder;
    }

    /// <summary>The JSON parameters of an import job: <c>{"path": "..."}</c>.</summary>
    public static string Parameters(string path) => JsonSerializer.Serialize(new ImportJobParameters(path), JsonOptions);

    internal static string PathFrom(string? json, string what)
    {
        var parameters = string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<ImportJobParameters>(json, JsonOptions);
        return string.IsNullOrWhiteSpace(parameters?.Path)
            ? throw new ArgumentException($"An import job needs the {what} to import: {{\"path\": \"...\"}}.")
            : parameters.Path;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
