using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Jobs;

/// <summary>Registers the job queue and its runner.</summary>
public static class JobsRegistration
{
    /// <summary>Adds <see cref="JobService"/> (queueing and listing jobs). Jobs only run where
    /// <see cref="AddBlazorRecsJobRunner"/> is also called: the web app, not the CLI, which runs its work in-process.</summary>
    public static IHostApplicationBuilder AddBlazorRecsJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobService>();
        builder.Services.AddScoped<JobControl>();
        return builder;
    }

    /// <summary>Adds the <see cref="JobRunner"/> background service that executes queued jobs.</summary>
    public static IHostApplicationBuilder AddBlazorRecsJobRunner(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<JobRunner>();
        return builder;
    }

    /// <summary>Registers a job handler (scoped: one instance per run).</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services)
        where THandler : class, IJobHandler
    {
        services.AddScoped<IJobHandler, THandler>();
        return services;
    }
}
