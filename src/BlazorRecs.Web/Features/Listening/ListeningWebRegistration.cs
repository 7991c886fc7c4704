using Microsoft.AspNetCore.DataProtection;

namespace BlazorRecs.Web.Features.Listening;

/// <summary>Registers the session cookie and its data protection keys.</summary>
public static class ListeningWebRegistration
{
    /// <summary>Adds <see cref="ListenerSession"/>; keys live in the data directory so sessions survive restarts.</summary>
    public static IHostApplicationBuilder AddListenerSessions(this IHostApplicationBuilder builder)
    {
        string dataDirectory = builder.Configuration["BlazorRecs:DataDirectory"] is { Length: > 0 } d ? d : "./data";
        builder.Services.AddDataProtection()
            .SetApplicationName("BlazorRecs")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(dataDirectory), "keys")));
        builder.Services.AddSingleton<ListenerSession>();
        return builder;
    }
}
