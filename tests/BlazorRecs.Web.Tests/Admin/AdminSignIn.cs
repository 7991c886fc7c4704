using System.Net;
using System.Text.RegularExpressions;

namespace BlazorRecs.Web.Tests.Admin;

/// <summary>Signs in through the real login form, as a browser does.</summary>
internal static partial class AdminSignIn
{
    /// <summary>Posts the login form with <paramref name="password"/> from <paramref name="browser"/> (which must not
    /// follow redirects); returns the response, whose Set-Cookie carries the admin cookie on success.</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string password, string returnUrl, CancellationToken ct) =>
        await browser.PostAsync($"/api/auth/login?returnUrl={Uri.EscapeDataString(returnUrl)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["password"] = password,
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(browser, ct),
        }), ct);

    /// <summary>The admin cookie ("name=value") a successful login set.</summary>
    public static string CookieOf(HttpResponseMessage login) =>
        login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("blazorrecs.admin=", StringComparison.Ordinal));

    /// <summary>The antiforgery token of the login form, which every form post must carry.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient browser, CancellationToken ct)
    {
        string html = await browser.GetStringAsync("/login", ct);
        return TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException("the login page has no antiforgery token");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
