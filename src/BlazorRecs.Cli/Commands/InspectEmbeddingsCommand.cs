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
/// effective dimensions, how often a track's nearest neighbours share its genre and its album, and the linear probe's
/// R² of each track descriptor.
/// </summary>
internal static class InspectEmbeddingsCommand
{
    public static Command Create()
    {
        var command = new Command("inspect-embeddings", "For every backend's stored vectors: effective dimensions (participation ratio of the " +
                                                        "standardised vectors), the share of a track's nearest neighbours in its genre and on its album against chance, " +
                                                        "and how much of each track descriptor (tempo, energy, brightness, acousticness) a linear layer " +
                                                        $"can read from the vectors ({LinearProbe.Folds}-fold cross-validated ridge R²)");
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
        var descriptors = EmbeddingSpace.DescriptorNames;
        Console.WriteLine($"{"backend",-18} {"tracks",7} {"dim",5} {"effective dim",13}   {$"{neighbours} nearest in genre",-32} {$"{neighbours} nearest on album",-32}" +
                          string.Concat(descriptors.Select(d => $" {$"R² {d}",15}")));
        foreach (var r in reports)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Backend,-18} {r.Tracks,7} {r.Dimension,5} {r.EffectiveDimensions,13:0.0}   {EmbeddingSpace.Format(r.Genre),-32} {EmbeddingSpace.Format(r.Album),-32}") +
                string.Concat(descriptors.Select(d => $" {Fit(r, d),15}")));
        }

        if (reports.Any(r => r.Descriptors.Count < descriptors.Count))
        {
            Console.WriteLine($"(–: fewer than {2 * LinearProbe.Folds} of the tracks have that descriptor, or it does not vary)");
        }
    }

    private static string Fit(EmbeddingSpaceReport report, string descriptor) =>
        report.RSquaredOf(descriptor)?.ToString("0.000", CultureInfo.InvariantCulture) ?? "–";
}
