using System.CommandLine;
using BlazorRecs.Cli.Commands;

var root = new RootCommand("BlazorRecs: a music streaming simulation for comparing audio representations in recommenders.")
{
    DoctorCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
