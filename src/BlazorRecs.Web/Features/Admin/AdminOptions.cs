namespace BlazorRecs.Web.Features.Admin;

/// <summary>The <c>BlazorRecs:Admin</c> section.</summary>
public sealed record AdminOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "BlazorRecs:Admin";

    /// <summary>The admin password. When empty, one is generated on first start, printed once to the console, and
    /// kept (as a salted hash) in the data directory.</summary>
    public string? Password { get; init; }
}
