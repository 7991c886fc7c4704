using System.CommandLine;
using BlazorRecs.Core.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Cli.Commands;

/// <summary><c>blazorrecs doctor</c>: the /healthz report without starting the web app.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check SQLite, ffmpeg, FAISS, Torch, ONNX Runtime and the model files; print the report as JSON. " +
                                            "Exit code 0 when ok or degraded, 1 when a component failed.");
        command.TreatUnmatchedTokensAsErrors = false; // --BlazorRecs:Key=value settings pass through to configuration
        command.SetAction(async (parse, cancellationToken) =>
        {
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(cancellationToken); // applies migrations, validates options
            var health = host.Services.GetRequiredService<HealthCheckService>();
            HealthReport report = await health.CheckHealthAsync(cancellationToken);
            await Console.Out.WriteLineAsync(HealthReportJson.ToJsonString(report));
            await host.StopAsync(cancellationToken);
            return report.Status == HealthStatus.Unhealthy ? 1 : 0;
        });
        return command;
    }
}
