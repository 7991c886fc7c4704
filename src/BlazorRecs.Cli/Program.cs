using System.CommandLine;
using BlazorRecs.Cli.Commands;

var root = new RootCommand("BlazorRecs: a music streaming simulation for comparing audio representations in recommenders.")
{
    DoctorCommand.Create(),
    SeedCommand.Create(),
    ImportCommand.Create(),
    EmbedCommand.Create(),
    TrainCnnCommand.Create(),
    InspectEmbeddingsCommand.Create(),
    EvaluateCommand.Create(),
    new Command("bench", "Benchmarks that print figures measured in one run")
    {
        SeedCommand.CreateBenchmark(),
        EmbeddingBenchmarks.Upload(),
        EmbeddingBenchmarks.Embed(),
        RecommenderBenchmarks.Train(),
        ApiBenchmarks.Create(),
    },
};
return await root.Parse(args).InvokeAsync();
