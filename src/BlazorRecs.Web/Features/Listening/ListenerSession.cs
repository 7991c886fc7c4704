using Microsoft.AspNetCore.DataProtection;

namespace BlazorRecs.Web.Features.Listening;

/// <summary>
/// Who this browser listens as: a listener id in a data-protected cookie, so the choice survives reloads and
/// the server can check that play reports come from the listener the session chose.
/// </summary>
public sealed class ListenerSession(IDataProtectionProvider protection)
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "blazorrecs.listener";

    private readonly IDataProtector _protector = protection.CreateProtector("BlazorRecs.ListenerSession.v1");

    /// <summary>The listener id the request's cookie names, or null when there is none or it was tampered with.</summary>
    public int? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out string? value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return int.TryParse(_protector.Unprotect(value), out int id) ? id : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null; // forged, or keys rotated away: treat as no choice
        }
    }

    /// <summary>Makes <paramref name="listenerId"/> this browser's listener.</summary>
    public void Write(HttpContext context, int listenerId) =>
        context.Response.Cookies.Append(CookieName, _protector.Protect(listenerId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                IsEssential = true,
                MaxAge = TimeSpan.FromDays(365),
            });

    /// <summary>Forgets the choice.</summary>
    public static void Clear(HttpContext context) => context.Response.Cookies.Delete(CookieName);
}
