using BlazorRecs.Core.Configuration;
using BlazorRecs.Core.Recommenders.Bert4Rec;
using BlazorRecs.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Core.Recommenders;

/// <summary>Registers the recommenders' hyper-parameters (configuration section <c>BlazorRecs:Bert4Rec</c>).</summary>
public static class RecommendersRegistration
{
    /// <summary>The configuration section of BERT4Rec's hyper-parameters.</summary>
    public const string Bert4RecSection = "BlazorRecs:Bert4Rec";

    /// <summary>The configuration section of Shallow Net's hyper-parameters.</summary>
    public const string ShallowNetSection = "BlazorRecs:ShallowNet";

    /// <summary>Adds the recommenders' options.</summary>
    public static IHostApplicationBuilder AddBlazorRecsRecommenders(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<Bert4RecOptions>(Bert4RecSection);
        builder.AddValidatedOptions<ShallowNet.ShallowNetOptions>(ShallowNetSection);
        builder.Services.AddSingleton<CatalogData>();
        builder.Services.AddSingleton<RecommenderTraining>();
        builder.Services.AddSingleton<LiveRecommendations>();
        builder.Services.AddJobHandler<TrainRecommenderJob>();
        builder.Services.AddJobHandler<EvaluateRecommendersJob>();
        return builder;
    }
}
