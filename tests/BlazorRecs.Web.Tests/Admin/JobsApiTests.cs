using System.Net;
using System.Net.Http.Json;
using BlazorRecs.Core.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlazorRecs.Web.Tests.Admin;

/// <summary>POST /api/jobs/{id}/finish over HTTP: only for admins, only for a running job that has something to keep.</summary>
public sealed class JobsApiTests : IAsyncDisposable
{
    private const string Password = "correct horse";

    private readonly BlazorRecsAppFactory _app = new(
        new Dictionary<string, string?> { ["BlazorRecs:Admin:Password"] = Password },
        services: s => s.AddJobHandler<WaitingJob>().AddJobHandler<FinishingJob>());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private JobService Jobs => _app.Services.GetRequiredService<JobService>();

    [Fact]
    public async Task Finish_keeps_a_training_jobs_work_refuses_one_with_nothing_to_keep_and_needs_an_admin()
    {
        using var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var training = await Jobs.EnqueueAsync(FinishingJob.JobKind, cancellationToken: Ct);
        await WaitForAsync(training.Id, JobState.Running);

        using (var anonymous = await browser.PostAsync($"/api/jobs/{training.Id}/finish", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var login = await AdminSignIn.PostLoginAsync(browser, Password, "/jobs", Ct);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        using var admin = _app.CreateDefaultClient();
        admin.DefaultRequestHeaders.Add("Cookie", AdminSignIn.CookieOf(login));

        using (var finish = await admin.PostAsync($"/api/jobs/{training.Id}/finish", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, finish.StatusCode);
            Assert.Equal($"/api/jobs/{training.Id}", finish.Headers.Location?.OriginalString);
        }

        var done = await WaitForAsync(training.Id, JobState.Succeeded);
        Assert.Equal("finished early on request: kept epoch 2", done.Message);

        // Ended now: nothing runs under that id.
        using (var again = await admin.PostAsync($"/api/jobs/{training.Id}/finish", null, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        // A job with nothing to keep part-way: a conflict that says what to do instead, and the job runs on.
        var waiting = await Jobs.EnqueueAsync(WaitingJob.JobKind, cancellationToken: Ct);
        await WaitForAsync(waiting.Id, JobState.Running);
        using (var refused = await admin.PostAsync($"/api/jobs/{waiting.Id}/finish", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
            Assert.Contains("cancel it instead", problem!.Detail, StringComparison.Ordinal);
            Assert.Contains($"Job {waiting.Id} has nothing to keep part-way", problem.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(JobState.Running, (await Jobs.GetAsync(waiting.Id, Ct))!.State);
        using var unknown = await admin.PostAsync("/api/jobs/987654/finish", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<JobSnapshot> WaitForAsync(long id, JobState state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var job = await Jobs.GetAsync(id, Ct);
            if (job?.State == state)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} is {job?.State}, not {state}");
            await Task.Delay(50, Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var job in await Jobs.ListAsync(cancellationToken: CancellationToken.None))
        {
            await Jobs.CancelAsync(job.Id, CancellationToken.None);
        }

        await _app.DisposeAsync();
    }
}
