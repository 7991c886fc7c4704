namespace BlazorRecs.Core.Tests.Support;

/// <summary>
/// Tests that train a TorchSharp model. Trainers seed libtorch's one process-wide generator (module initialisation
/// and dropout draw from it), so two of them training side by side would interleave their draws and each run would
/// start from different weights. In this collection they run one at a time: every run is the run its seed gives.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchTrainingCollection
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "TorchSharp training";
}
