namespace BlazorRecs.Core.Tests.Support;

/// <summary>
/// Tests that read the process's resident memory to see what the native heap does. They run with no other test
/// beside them, so that no other test's allocations move the figures between two readings.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "process memory";
}
