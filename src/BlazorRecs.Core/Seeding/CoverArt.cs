using System.Globalization;
using System.Security;
using System.Text;

namespace BlazorRecs.Core.Seeding;

/// <summary>Deterministic album covers as SVG: the genre's palette, seeded shapes and the title, XML-escaped.</summary>
public static class CoverArt
{
    private const int Size = 512;

    /// <summary>The SVG document of <paramref name="album"/>'s cover. The palette comes from <c>names.json</c> when the
    /// composer's definitions are given, otherwise from a hue derived from the genre's name.</summary>
    public static string Svg(CatalogPlan plan, AlbumPlan album) => Svg(plan, album, palette: null);

    /// <summary>As <see cref="Svg(CatalogPlan, AlbumPlan)"/>, with the genre palettes of <paramref name="definitions"/>.</summary>
    public static string Svg(CatalogPlan plan, AlbumPlan album, SeedDefinitions definitions)
    {
        ArtistPlan artist = plan.Artists[album.ArtistIndex];
        definitions.Names.Palettes.TryGetValue(artist.Genre, out IReadOnlyList<string>? palette);
        return Svg(plan, album, palette);
    }

    private static string Svg(CatalogPlan plan, AlbumPlan album, IReadOnlyList<string>? palette)
    {
        ArtistPlan artist = plan.Artists[album.ArtistIndex];
        Random rng = SeedRandom.For(plan.Spec.Seed, SeedRandom.CoverStream, album.Index);
        palette ??= HuePalette(artist.Genre);
        string background = palette[0], accent = palette[1], ink = palette[2];
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size}\" height=\"{Size}\" viewBox=\"0 0 {Size} {Size}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Size}\" height=\"{Size}\" fill=\"{Escape(background)}\"/>");
        int shapes = 4 + rng.Next(7);
        for (int i = 0; i < shapes; i++)
        {
            string fill = Escape(i % 2 == 0 ? accent : ink);
            double opacity = 0.15 + rng.NextDouble() * 0.6;
            int x = rng.Next(Size), y = rng.Next(Size), r = 20 + rng.Next(Size / 3);
            string o = opacity.ToString("0.##", CultureInfo.InvariantCulture);
            switch (rng.Next(3))
            {
                case 0:
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\" fill=\"{fill}\" fill-opacity=\"{o}\"/>");
                    break;
                case 1:
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x - r}\" y=\"{y - r / 2}\" width=\"{2 * r}\" height=\"{r}\" fill=\"{fill}\" fill-opacity=\"{o}\" transform=\"rotate({rng.Next(-45, 46)} {x} {y})\"/>");
                    break;
                default:
                    svg.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{x},{y - r} {x + r},{y + r} {x - r},{y + r}\" fill=\"{fill}\" fill-opacity=\"{o}\"/>");
                    break;
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"392\" width=\"{Size}\" height=\"120\" fill=\"{Escape(background)}\" fill-opacity=\"0.8\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"24\" y=\"444\" font-family=\"sans-serif\" font-size=\"34\" font-weight=\"bold\" fill=\"{Escape(ink)}\">{Escape(album.Title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"24\" y=\"484\" font-family=\"sans-serif\" font-size=\"22\" fill=\"{Escape(accent)}\">{Escape(artist.Name)}</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string[] HuePalette(string genre)
    {
        int hue = 0;
        foreach (char c in genre)
        {
            hue = (hue * 31 + c) % 360;
        }

        return [$"hsl({hue},45%,18%)", $"hsl({(hue + 40) % 360},80%,55%)", $"hsl({hue},30%,92%)"];
    }
}
