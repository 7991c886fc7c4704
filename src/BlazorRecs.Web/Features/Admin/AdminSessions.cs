using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace BlazorRecs.Web.Features.Admin;

/// <summary>
/// The admin sign-ins this server has issued and not ended. Each sign-in's cookie carries its session id; signing
/// out ends the session, so the cookie stops authorizing anywhere: in HTTP requests (a copy of it) and in open
/// Blazor circuits, which keep the identity they connected with until <see cref="AdminRevalidation"/> looks again.
/// Sessions live in memory: after a restart, admins sign in again.
/// </summary>
public sealed class AdminSessions
{
    /// <summary>The claim that carries an admin sign-in's session id.</summary>
    public const string SessionClaim = "blazorrecs:admin-session";

    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);

    /// <summary>Starts a session; its id goes into the sign-in's claims.</summary>
    public string Start()
    {
        string id = Guid.NewGuid().ToString("N");
        _active[id] = 0;
        return id;
    }

    /// <summary>Ends the session of <paramref name="user"/>, if it is an admin sign-in.</summary>
    public void End(ClaimsPrincipal user)
    {
        if (user.FindFirst(SessionClaim)?.Value is { } id)
        {
            _active.TryRemove(id, out _);
        }
    }

    /// <summary>Whether <paramref name="user"/> may keep its identity: anyone who is not an admin may; an admin only
    /// while its sign-in's session is active.</summary>
    public bool StillValid(ClaimsPrincipal user) =>
        !user.IsInRole(AdminEndpoints.AdminRole) || (user.FindFirst(SessionClaim)?.Value is { } id && _active.ContainsKey(id));
}

/// <summary>Looks again at a circuit's identity every half minute, so a sign-out in another tab (or a restart)
/// takes admin rights from pages that are already open.</summary>
public sealed class AdminRevalidation(ILoggerFactory loggers, AdminSessions sessions) : RevalidatingServerAuthenticationStateProvider(loggers)
{
    /// <inheritdoc />
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        Task.FromResult(sessions.StillValid(authenticationState.User));
}
