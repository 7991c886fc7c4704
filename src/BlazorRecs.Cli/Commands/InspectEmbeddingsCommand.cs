using System.CommandLine;
using System.Globalization;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Cli.Commands;

/// <summary>
/// <c>blazorrecs inspect-embeddings</c>: every backend's stored vectors as a space (<see cref="EmbeddingSpaceReport"/>):
/// effective dimensions, and how often a track's nearest neighbours share its genre and its album.
/// </summary>
internal static class InspectEmbeddingsCommand
{
    public static Command Create()
    {
        var command = new Command("inspect-embeddings", "For every backend's stored vectors: effective dimensions (participation ratio of the " +
                                                        "standardised vectors), and the share of a track's nearest neighbours in its genre and on its album against chance");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            var reports = await EmbeddingSpace.ForCatalogAsync(host.Services.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>(), GenreAgreement.Neighbours, ct);
            await host.StopAsync(ct);
            if (reports.Count == 0)
            {
                Console.Error.WriteLine("No track has a stored vector yet: run `embed` first.");
                return 1;
            }

            Print(reports, GenreAgreement.Neighbours);
            return 0;
        });
        return command;
    }

    /// <summary>Prints the reports, measured with <paramref name="neighbours"/> nearest neighbours, as a table.</summary>
    public static void Print(IEnumerable<EmbeddingSpaceReport> reports, int neighbours)
    {
        Console.WriteLine($"{"backend",-18} {"tracks",7} {"dim",5} {"effective dim",13}   {$"{neighbours} nearest in genre",-32} {$"{neighbours} nearest on album",-32}");
        foreach (var r in reports)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Backend,-18} {r.Tracks,7} {r.Dimension,5} {r.EffectiveDimensions,13:0.0}   {EmbeddingSpace.Format(r.Genre),-32} {EmbeddingSpace.Format(r.Album),-32}"));
        }
    }
}
