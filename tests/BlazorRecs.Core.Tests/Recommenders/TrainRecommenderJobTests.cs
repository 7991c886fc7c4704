using BlazorRecs.Core.Jobs;
using BlazorRecs.Core.Recommenders;

namespace BlazorRecs.Core.Tests.Recommenders;

public sealed class TrainRecommenderJobTests
{
    [Theory]
    [InlineData("{\"model\": \"bert4rec\", \"backend\": \"mfcc\"}", true)]
    [InlineData("{\"model\": \"bert4rec\"}", true)]
    [InlineData("{\"model\": \"shallow-net\", \"backend\": \"mfcc\"}", true)]
    [InlineData("{\"model\": \"pop\"}", false)]                           // no epochs: nothing to stop part-way
    [InlineData("{\"model\": \"knn\", \"backend\": \"mfcc\"}", false)]
    [InlineData("{\"model\": ", false)]                                   // unreadable: never offered
    [InlineData(null, false)]
    public void Only_a_pair_trained_in_epochs_can_be_asked_to_finish_early(string? parameters, bool expected)
    {
        // The question reads the parameters only; the training service is never reached.
        IJobHandler job = new TrainRecommenderJob(null!, new JobControl());

        Assert.Equal(expected, job.CanFinishEarly(parameters));
    }
}
