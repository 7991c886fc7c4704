using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using BlazorRecs.Core.Embeddings.Backends;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Web.Features.Admin;
using BlazorRecs.Web.Tests.Admin;
using BlazorRecs.Web.Features.Jobs;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>
/// The Jobs page in bUnit on the real app's job service and runner, with two job kinds of the test's own: one reports
/// progress and a training curve, then waits until it is cancelled; the other can be asked to finish early.
/// </summary>
public sealed class JobsPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly BlazorRecsAppFactory _app = new(services: s => s.AddJobHandler<WaitingJob>().AddJobHandler<FinishingJob>());
    private readonly BunitContext _ctx = new();
    private BunitAuthorizationContext _auth = default!;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private JobService Jobs => _app.Services.GetRequiredService<JobService>();

    public ValueTask InitializeAsync()
    {
        var app = _app.Services;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton(app.GetRequiredService<JobService>());
        _ctx.Services.AddSingleton(app.GetRequiredService<TimeProvider>());
        _ctx.Services.AddSingleton(app.GetRequiredService<AdminSessions>());
        _ctx.Services.AddSingleton(app.GetRequiredService<EmbeddingRegistry>());
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _auth = _ctx.AddAuthorization();
        _ctx.Render<MudPopoverProvider>();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_running_job_shows_its_progress_and_curve_live_and_an_admin_cancels_it()
    {
        _auth.SetAuthorized("admin").SetRoles(AdminEndpoints.AdminRole)
            .SetClaims(new Claim(AdminSessions.SessionClaim, _app.Services.GetRequiredService<AdminSessions>().Start()));
        var page = _ctx.Render<JobsPage>();
        Assert.Contains("No jobs have run in this app yet", page.Find("[data-testid=jobs]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=train-start]"));

        // Queued after the page rendered: it appears, runs and reports, all through the service's change events.
        var job = await Jobs.EnqueueAsync(WaitingJob.JobKind, cancellationToken: Ct);
        page.WaitForAssertion(() =>
        {
            string row = RowOf(page, job.Id).TextContent;
            Assert.Contains("Running", row, StringComparison.Ordinal);
            Assert.Matches(@"40\s?%", row);
            Assert.Contains("epoch 2 of 5", row, StringComparison.Ordinal);
            Assert.Single(page.FindAll("[data-testid=training-curve]"));
        }, Patience);

        page.WaitForElement("[data-testid=jobs] tbody button");
        await page.InvokeAsync(() => page.Find("[data-testid=jobs] tbody button").Click());

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Cancelled", RowOf(page, job.Id).TextContent, StringComparison.Ordinal);
            Assert.Empty(page.FindAll("[data-testid=jobs] tbody button"));
        }, Patience);
        Assert.Equal(JobState.Cancelled, (await Jobs.GetAsync(job.Id, Ct))!.State);
    }

    [Fact]
    public async Task An_admin_finishes_a_training_job_early_and_it_ends_well_while_other_jobs_offer_only_cancel()
    {
        _auth.SetAuthorized("admin").SetRoles(AdminEndpoints.AdminRole)
            .SetClaims(new Claim(AdminSessions.SessionClaim, _app.Services.GetRequiredService<AdminSessions>().Start()));
        var page = _ctx.Render<JobsPage>();
        var training = await Jobs.EnqueueAsync(FinishingJob.JobKind, "{\"model\": \"bert4rec\"}", Ct);
        page.WaitForAssertion(() =>
        {
            var row = RowOf(page, training.Id);
            Assert.Contains("Running", row.TextContent, StringComparison.Ordinal);
            Assert.NotNull(row.QuerySelector("[data-testid=finish-early]"));
            // What the job was asked to do shows under its kind.
            Assert.Equal("{\"model\": \"bert4rec\"}", row.QuerySelector("[data-testid=job-parameters]")?.TextContent);
        }, Patience);

        // Found and clicked in one turn of the renderer: the page re-renders as jobs report, which renews handlers.
        await page.InvokeAsync(() => RowOf(page, training.Id).QuerySelector("[data-testid=finish-early]")!.Click());

        page.WaitForAssertion(() =>
        {
            string row = RowOf(page, training.Id).TextContent;
            Assert.Contains("Succeeded", row, StringComparison.Ordinal);
            Assert.Contains("finished early on request: kept epoch 2", row, StringComparison.Ordinal);
        }, Patience);
        Assert.Equal(JobState.Succeeded, (await Jobs.GetAsync(training.Id, Ct))!.State);

        // A job with nothing to keep part-way runs with a Cancel button only, and the service refuses to finish it.
        var waiting = await Jobs.EnqueueAsync(WaitingJob.JobKind, cancellationToken: Ct);
        page.WaitForAssertion(() => Assert.Contains("Running", RowOf(page, waiting.Id).TextContent, StringComparison.Ordinal), Patience);
        Assert.Null(RowOf(page, waiting.Id).QuerySelector("[data-testid=finish-early]"));
        Assert.Equal(FinishEarlyOutcome.NotSupported, await Jobs.FinishEarlyAsync(waiting.Id, Ct));
        Assert.Equal(FinishEarlyOutcome.NotRunning, await Jobs.FinishEarlyAsync(training.Id, Ct));
    }

    [Fact]
    public async Task Visitors_see_jobs_but_cannot_start_or_cancel_them_and_an_ended_admin_sign_in_cancels_nothing()
    {
        var job = await Jobs.EnqueueAsync(WaitingJob.JobKind, cancellationToken: Ct);
        var visitor = _ctx.Render<JobsPage>();
        visitor.WaitForAssertion(() => Assert.Contains("Running", RowOf(visitor, job.Id).TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("Sign in to start jobs", visitor.Markup, StringComparison.Ordinal);
        Assert.Empty(visitor.FindAll("[data-testid=train-start]"));
        Assert.Empty(visitor.FindAll("[data-testid=jobs] tbody button"));

        // An admin page that outlived its sign-in still shows the button (the circuit's identity is revalidated
        // later), but the click is checked against the live sessions and refused.
        var sessions = _app.Services.GetRequiredService<AdminSessions>();
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Role, AdminEndpoints.AdminRole), new Claim(AdminSessions.SessionClaim, sessions.Start())], "test"));
        _auth.SetAuthorized("admin").SetRoles(AdminEndpoints.AdminRole).SetClaims(admin.FindFirst(AdminSessions.SessionClaim)!);
        var stale = _ctx.Render<JobsPage>();
        stale.WaitForAssertion(() => Assert.Contains("Running", RowOf(stale, job.Id).TextContent, StringComparison.Ordinal), Patience);
        sessions.End(admin);

        await stale.InvokeAsync(() => stale.Find("[data-testid=jobs] tbody button").Click());

        stale.WaitForAssertion(() => Assert.Contains("Only admins can start, finish or cancel jobs.", _ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Single().Message), Patience);
        Assert.Equal(JobState.Running, (await Jobs.GetAsync(job.Id, Ct))!.State);
    }

    private static IElement RowOf(IRenderedComponent<JobsPage> page, long id) =>
        page.FindAll("[data-testid=jobs] tbody tr").First(r => r.QuerySelector("td")?.TextContent.Trim() == id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        // The runner takes one job at a time: end whatever a test left waiting.
        foreach (var job in await Jobs.ListAsync(cancellationToken: CancellationToken.None))
        {
            await Jobs.CancelAsync(job.Id, CancellationToken.None);
        }

        await _ctx.DisposeAsync();
        await _app.DisposeAsync();
    }
}
