using System.Text.Json;
using System.Text.Json.Serialization;

namespace BlazorRecs.Core.Seeding;

/// <summary>A General MIDI instrument (or drum kit) and whether it counts as acoustic for the acousticness descriptor.</summary>
/// <param name="Program">The 0-based General MIDI program number.</param>
/// <param name="Acoustic">True for acoustic instruments, false for electric, electronic or synthesised ones.</param>
public sealed record InstrumentDefinition(int Program, bool Acoustic);

/// <summary>A song section's role in the form: how long it is and how intense.</summary>
/// <param name="Bars">Nominal length in bars, before the form is fitted to the track length.</param>
/// <param name="Intensity">Velocity scale, 0..1.</param>
/// <param name="Melody">Melodic density relative to the genre's density (0 = no melody).</param>
/// <param name="Drums"><c>full</c>, <c>sparse</c> (kick, snare and cymbals only) or <c>none</c>.</param>
/// <param name="OctaveUp">The melody moves up an octave (choruses).</param>
/// <param name="AlternateHarmony">Uses the genre's alternate progression (bridges, variations).</param>
/// <param name="Ending">The closing section: ends on a held tonic chord.</param>
public sealed record SectionDefinition(int Bars, double Intensity, double Melody, string Drums, bool OctaveUp = false, bool AlternateHarmony = false, bool Ending = false);

/// <summary>A mode and the chord progressions written in it (Roman numerals relative to the tonic).</summary>
public sealed record HarmonyDefinition(string Mode, IReadOnlyList<IReadOnlyList<string>> Progressions, IReadOnlyList<IReadOnlyList<string>> Alternate);

/// <summary>How the melody moves: density of note onsets per eighth, register, note length and largest step.</summary>
public sealed record MelodyDefinition(double Density, int Octave, double NoteBeats, int MaxLeap);

/// <summary>Drum kits and one-bar patterns (a character per sixteenth: X accent, x normal, o ghost, . rest).</summary>
public sealed record DrumDefinition(IReadOnlyList<string> Kits, IReadOnlyList<IReadOnlyDictionary<string, string>> Patterns);

/// <summary>One genre's style: everything the composer draws from.</summary>
public sealed record GenreDefinition(
    string Name,
    IReadOnlyList<int> Tempo,
    IReadOnlyList<int> BeatsPerBar,
    double Swing,
    int SwingUnit,
    IReadOnlyList<HarmonyDefinition> Harmony,
    string? MelodyScale,
    IReadOnlyList<string> Lead,
    IReadOnlyList<string> Chords,
    IReadOnlyList<string> Bass,
    IReadOnlyList<string> Pad,
    IReadOnlyList<string> ChordStyle,
    IReadOnlyList<string> BassStyle,
    MelodyDefinition Melody,
    IReadOnlyList<int> Velocity,
    DrumDefinition Drums,
    IReadOnlyList<IReadOnlyList<string>> Forms);

/// <summary>The contents of <c>seed/genres.json</c>.</summary>
public sealed record GenreCatalogDefinition(
    IReadOnlyDictionary<string, InstrumentDefinition> Instruments,
    IReadOnlyDictionary<string, InstrumentDefinition> DrumKits,
    IReadOnlyDictionary<string, int> DrumNotes,
    IReadOnlyDictionary<string, IReadOnlyList<int>> Scales,
    IReadOnlyDictionary<string, SectionDefinition> Sections,
    IReadOnlyList<GenreDefinition> Genres);

/// <summary>Extra words for one genre's names.</summary>
public sealed record GenreWords(IReadOnlyList<string>? Adj, IReadOnlyList<string>? Noun, IReadOnlyList<string>? Nouns);

/// <summary>The contents of <c>seed/names.json</c>: word lists, templates and cover palettes.</summary>
public sealed record NameDefinitions(
    IReadOnlyList<string> First,
    IReadOnlyList<string> Last,
    IReadOnlyList<string> Adj,
    IReadOnlyList<string> Noun,
    IReadOnlyList<string> Nouns,
    IReadOnlyList<string> Place,
    IReadOnlyList<string> Color,
    IReadOnlyList<string> ArtistTemplates,
    IReadOnlyList<string> AlbumTemplates,
    IReadOnlyList<string> TrackTemplates,
    IReadOnlyDictionary<string, GenreWords> GenreWords,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Palettes);

/// <summary>The seed catalog's readable definitions (<c>seed/*.json</c>), loaded and checked.</summary>
public sealed class SeedDefinitions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Wraps definitions already loaded (tests may build them in code).</summary>
    public SeedDefinitions(GenreCatalogDefinition music, NameDefinitions names)
    {
        Music = music;
        Names = names;
        Validate();
    }

    /// <summary>Where the app looks by default: the <c>seed</c> folder copied next to the assemblies.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "seed");

    /// <summary>Genres, instruments, drums, scales and song sections.</summary>
    public GenreCatalogDefinition Music { get; }

    /// <summary>Name word lists and cover palettes.</summary>
    public NameDefinitions Names { get; }

    /// <summary>Loads <c>genres.json</c> and <c>names.json</c> from <paramref name="directory"/>
    /// (default <see cref="DefaultDirectory"/>).</summary>
    /// <exception cref="InvalidDataException">A file is missing, malformed or refers to an undefined name.</exception>
    public static SeedDefinitions Load(string? directory = null)
    {
        directory ??= DefaultDirectory;
        return new SeedDefinitions(Read<GenreCatalogDefinition>(directory, "genres.json"), Read<NameDefinitions>(directory, "names.json"));
    }

    /// <summary>The genre called <paramref name="name"/>.</summary>
    public GenreDefinition Genre(string name)
        => Music.Genres.FirstOrDefault(g => g.Name == name) ?? throw new KeyNotFoundException($"Unknown genre '{name}'.");

    private static T Read<T>(string directory, string fileName)
    {
        string path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"Seed definitions file '{path}' is missing (BlazorRecs:Seed:DefinitionsDirectory).");
        }

        try
        {
            using FileStream stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Json) ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid: {ex.Message}", ex);
        }
    }

    // Checking the cross-references once here means a typo in the JSON fails at load with its name, not as a
    // KeyNotFoundException in the middle of composing track 317.
    private void Validate()
    {
        var problems = new List<string>();
        if (Music.Genres.Count == 0)
        {
            problems.Add("no genres");
        }

        foreach (GenreDefinition g in Music.Genres)
        {
            if (g.Tempo.Count != 2 || g.Tempo[0] < 30 || g.Tempo[1] < g.Tempo[0] || g.Tempo[1] > 300)
            {
                problems.Add($"{g.Name}: tempo must be [min, max] within 30..300");
            }

            if (g.Velocity.Count != 2 || g.Velocity[0] < 1 || g.Velocity[1] > 127 || g.Velocity[1] < g.Velocity[0])
            {
                problems.Add($"{g.Name}: velocity must be [min, max] within 1..127");
            }

            if (g.BeatsPerBar.Count == 0 || g.BeatsPerBar.Any(b => b is < 2 or > 7))
            {
                problems.Add($"{g.Name}: beatsPerBar must list values in 2..7");
            }

            foreach (string name in g.Lead.Concat(g.Chords).Concat(g.Bass).Concat(g.Pad).Where(n => !Music.Instruments.ContainsKey(n)))
            {
                problems.Add($"{g.Name}: unknown instrument '{name}'");
            }

            if (g.Lead.Count == 0 || g.Chords.Count == 0 || g.Bass.Count == 0 || g.ChordStyle.Count == 0 || g.BassStyle.Count == 0)
            {
                problems.Add($"{g.Name}: lead, chords, bass, chordStyle and bassStyle need at least one entry");
            }

            foreach (string kit in g.Drums.Kits.Where(k => !Music.DrumKits.ContainsKey(k)))
            {
                problems.Add($"{g.Name}: unknown drum kit '{kit}'");
            }

            foreach (string drum in g.Drums.Patterns.SelectMany(p => p.Keys).Where(d => !Music.DrumNotes.ContainsKey(d)))
            {
                problems.Add($"{g.Name}: unknown drum '{drum}'");
            }

            if (g.Drums.Patterns.Count > 0 && g.Drums.Kits.Count == 0)
            {
                problems.Add($"{g.Name}: drum patterns need a kit");
            }

            foreach (HarmonyDefinition h in g.Harmony)
            {
                if (!Music.Scales.ContainsKey(h.Mode))
                {
                    problems.Add($"{g.Name}: unknown mode '{h.Mode}'");
                }

                if (h.Progressions.Count == 0)
                {
                    problems.Add($"{g.Name}/{h.Mode}: no progressions");
                }

                foreach (string chord in h.Progressions.Concat(h.Alternate).SelectMany(p => p))
                {
                    if (!ChordSymbol.TryParse(chord, out _))
                    {
                        problems.Add($"{g.Name}: cannot read chord '{chord}'");
                    }
                }
            }

            if (g.MelodyScale is { } scale && !Music.Scales.ContainsKey(scale))
            {
                problems.Add($"{g.Name}: unknown melody scale '{scale}'");
            }

            foreach (string section in g.Forms.SelectMany(f => f).Where(s => !Music.Sections.ContainsKey(s)))
            {
                problems.Add($"{g.Name}: unknown section '{section}'");
            }

            if (g.Forms.Count == 0 || g.Harmony.Count == 0)
            {
                problems.Add($"{g.Name}: needs at least one form and one harmony");
            }

            if (!Names.Palettes.TryGetValue(g.Name, out var palette) || palette.Count < 3)
            {
                problems.Add($"{g.Name}: names.json needs a palette of three colours");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException("Seed definitions are inconsistent: " + string.Join("; ", problems));
        }
    }
}
