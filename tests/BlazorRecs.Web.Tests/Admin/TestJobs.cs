using BlazorRecs.Core.Jobs;

namespace BlazorRecs.Web.Tests.Admin;

/// <summary>Reports 40%, a message and two points of a loss curve, then waits to be cancelled.</summary>
internal sealed class WaitingJob : IJobHandler
{
    public const string JobKind = "test-waiting";

    public string Kind => JobKind;

    public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        progress.Report(new JobProgress(0.4, "epoch 2 of 5", [new CurvePoint("training loss", 1, 2.5), new CurvePoint("training loss", 2, 1.75)]));
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>Trains "epochs" until it is asked to finish early, then ends well with what it has, as a training job does.</summary>
internal sealed class FinishingJob(JobControl control) : IJobHandler
{
    public const string JobKind = "test-finishing";

    public string Kind => JobKind;

    public bool CanFinishEarly(string? parametersJson) => true;

    public async Task RunAsync(string? parametersJson, IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        progress.Report(new JobProgress(0.4, "epoch 2 of 5"));
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, control.FinishEarly);
        try
        {
            await Task.Delay(Timeout.Infinite, both.Token);
        }
        catch (OperationCanceledException) when (control.FinishEarly.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            progress.Report(new JobProgress(1, "finished early on request: kept epoch 2"));
        }
    }
}
