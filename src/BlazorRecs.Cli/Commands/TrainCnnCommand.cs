using System.CommandLine;
using System.Globalization;
using BlazorRecs.Core.Data;
using BlazorRecs.Core.Embeddings;
using BlazorRecs.Core.Embeddings.Contrastive;
using BlazorRecs.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlazorRecs.Cli.Commands;

/// <summary>
/// <c>blazorrecs train-cnn</c>: trains the in-house contrastive CNN on the catalog's audio, embeds every track with
/// it, then prints every backend's space as <c>inspect-embeddings</c> does (how often a track's nearest neighbours
/// share its genre and album, and the effective dimensions).
/// </summary>
internal static class TrainCnnCommand
{
    public static Command Create()
    {
        var command = new Command("train-cnn", "Train the contrastive-cnn backend on the catalog's own audio, embed the catalog with it, and compare genre agreement across backends");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            using IHost host = CliHost.Build(parse.UnmatchedTokens);
            await host.StartAsync(ct);
            await using var scope = host.Services.CreateAsyncScope();
            var handlers = scope.ServiceProvider.GetServices<IJobHandler>().ToList();
            var model = await handlers.OfType<TrainContrastiveCnnJob>().Single().TrainAsync(new ConsoleProgress(), ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model.Version}: {model.Losses.Count} epochs on {model.Tracks} tracks in {model.Seconds:0} s; NT-Xent {model.Losses[0]:0.000} -> {model.Losses[^1]:0.000}"));
            await handlers.OfType<EmbedTracksJob>().Single().RunAsync(new EmbedJobParameters(ContrastiveCnnBackend.BackendId), new ConsoleProgress(), ct);

            InspectEmbeddingsCommand.Print(await EmbeddingSpace.ForCatalogAsync(
                scope.ServiceProvider.GetRequiredService<IDbContextFactory<BlazorRecsDbContext>>(), GenreAgreement.Neighbours, ct),
                GenreAgreement.Neighbours);
            await host.StopAsync(ct);
            return 0;
        });
        return command;
    }
}
