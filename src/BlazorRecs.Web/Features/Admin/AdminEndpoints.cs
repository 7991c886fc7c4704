using System.Security.Claims;
using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Web.Features.Catalog;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BlazorRecs.Web.Features.Admin;

/// <summary>The request body of POST /api/jobs.</summary>
public sealed record StartJobRequest(string Kind, string? Parameters = null);

/// <summary>Admin sign-in and the jobs API (listing is public; starting and cancelling need the admin role).</summary>
public static class AdminEndpoints
{
    /// <summary>The role admins have.</summary>
    public const string AdminRole = "admin";

    /// <summary>The authorization policy for admin-only endpoints.</summary>
    public const string AdminPolicy = "Admin";

    /// <summary>Adds cookie authentication, the admin policy and the credentials.</summary>
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<AdminOptions>(AdminOptions.Section);
        builder.Services.AddSingleton<AdminCredentials>();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = "/login";
            o.Cookie.Name = "blazorrecs.admin";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            // APIs answer 401/403 instead of redirecting to the login page.
            o.Events.OnRedirectToLogin = c => Deny(c, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => Deny(c, StatusCodes.Status403Forbidden);
            // A cookie whose sign-in has ended (signed out, or issued before a restart) no longer authorizes.
            o.Events.OnValidatePrincipal = async c =>
            {
                if (c.Principal is { } user && !c.HttpContext.RequestServices.GetRequiredService<AdminSessions>().StillValid(user))
                {
                    c.RejectPrincipal();
                    await c.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, p => p.RequireRole(AdminRole));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, AdminRevalidation>();
        return builder;
    }

    /// <summary>Maps /api/auth and /api/jobs.</summary>
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Admin");
        auth.MapPost("/login", LoginAsync);
        auth.MapPost("/logout", async (HttpContext context, AdminSessions sessions) =>
        {
            sessions.End(context.User);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect("/");
        });

        var jobs = endpoints.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapGet("/", async (JobService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(100, ct)));
        jobs.MapGet("/{id:long}", async Task<Results<Ok<JobSnapshot>, ProblemHttpResult>> (long id, JobService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } job ? TypedResults.Ok(job) : CatalogEndpoints.NotFound("job", id));
        jobs.MapPost("/", StartAsync).RequireAuthorization(AdminPolicy);
        jobs.MapPost("/{id:long}/cancel", async Task<Results<NoContent, ProblemHttpResult>> (long id, JobService service, CancellationToken ct) =>
            await service.CancelAsync(id, ct) ? TypedResults.NoContent() : CatalogEndpoints.NotFound("running or queued job", id))
            .RequireAuthorization(AdminPolicy);
        jobs.MapPost("/{id:long}/finish", async Task<Results<Accepted, ProblemHttpResult>> (long id, JobService service, CancellationToken ct) =>
            await service.FinishEarlyAsync(id, ct) switch
            {
                FinishEarlyOutcome.Requested => TypedResults.Accepted($"/api/jobs/{id}"),
                FinishEarlyOutcome.NotSupported => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot finish early",
                    detail: $"Job {id} has nothing to keep part-way (only a training of Shallow Net, BERT4Rec or the contrastive CNN does); cancel it instead."),
                _ => CatalogEndpoints.NotFound("running job", id),
            })
            .RequireAuthorization(AdminPolicy);
        return endpoints;
    }

    private static async Task<RedirectHttpResult> LoginAsync(
        [FromForm] string? password, [FromQuery] string? returnUrl, HttpContext context, AdminCredentials credentials, AdminSessions sessions)
    {
        if (!credentials.Verify(password))
        {
            return TypedResults.Redirect($"/login?failed=1&returnUrl={Uri.EscapeDataString(SafeReturn(returnUrl))}");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, AdminRole), new Claim(AdminSessions.SessionClaim, sessions.Start())],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return TypedResults.Redirect(SafeReturn(returnUrl));
    }

    private static async Task<Results<Accepted<JobSnapshot>, ProblemHttpResult>> StartAsync(StartJobRequest request, JobService service, CancellationToken ct)
    {
        try
        {
            var job = await service.EnqueueAsync(request.Kind, request.Parameters, ct);
            return TypedResults.Accepted($"/api/jobs/{job.Id}", job);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Job refused", detail: ex.Message);
        }
    }

    // Only local paths: a login link must not bounce people to another site.
    private static string SafeReturn(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/";

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
