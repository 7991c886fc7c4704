using BlazorRecs.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlazorRecs.Cli;

/// <summary>Builds the same services the web app uses, without the web host. Configuration comes from the
/// appsettings.json beside the CLI, environment variables (BlazorRecs__Key=value) and <c>--BlazorRecs:Key=value</c>
/// arguments, exactly as for the app.</summary>
internal static class CliHost
{
    public static IHost Build(IEnumerable<string> configurationArgs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = configurationArgs.ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Logs go to stderr so that stdout carries only the command's output (JSON, tables).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddBlazorRecsCore();
        return builder.Build();
    }
}
