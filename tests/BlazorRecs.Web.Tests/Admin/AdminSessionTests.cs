using System.Net;
using System.Net.Http.Json;
using BlazorRecs.Web.Features.Admin;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BlazorRecs.Web.Tests.Admin;

/// <summary>Admin sign-in through the real login form, and what signing out does to the cookie it issued.</summary>
public sealed class AdminSessionTests
{
    private const string Password = "correct horse";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cookie_stops_authorizing_once_its_sign_in_has_ended()
    {
        await using var app = new BlazorRecsAppFactory(new Dictionary<string, string?> { ["BlazorRecs:Admin:Password"] = Password });
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var anonymous = await StartJobAsync(app, cookie: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var login = await AdminSignIn.PostLoginAsync(browser, Password, "/jobs", Ct);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/jobs", login.Headers.Location?.OriginalString);
        string cookie = AdminSignIn.CookieOf(login);

        // The cookie authorizes (the unknown kind is refused as such, not as an anonymous request)...
        using var signedIn = await StartJobAsync(app, cookie);
        Assert.Equal(HttpStatusCode.BadRequest, signedIn.StatusCode);

        // ...until its sign-in ends: a copy kept elsewhere (another tab's circuit, a stolen header) is then refused.
        using var logout = await browser.PostAsync("/api/auth/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await AdminSignIn.AntiforgeryTokenAsync(browser, Ct),
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        using var after = await StartJobAsync(app, cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public void Open_circuits_lose_admin_rights_when_the_sign_in_ends_and_keep_everything_else()
    {
        var sessions = new AdminSessions();
        string id = sessions.Start();
        var admin = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Role, AdminEndpoints.AdminRole), new(AdminSessions.SessionClaim, id)], "cookie"));
        var forged = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Role, AdminEndpoints.AdminRole), new(AdminSessions.SessionClaim, "not-issued")], "cookie"));
        var visitor = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());

        Assert.True(sessions.StillValid(admin));
        Assert.False(sessions.StillValid(forged));
        Assert.True(sessions.StillValid(visitor));

        sessions.End(admin);

        Assert.False(sessions.StillValid(admin));
        Assert.True(sessions.StillValid(visitor));
    }

    // A new client each time, carrying only the given cookie, as a request from elsewhere would.
    private static async Task<HttpResponseMessage> StartJobAsync(BlazorRecsAppFactory app, string? cookie)
    {
        using var client = app.CreateDefaultClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = JsonContent.Create(new { kind = "no-such-kind" }) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await client.SendAsync(request, Ct);
    }
}
