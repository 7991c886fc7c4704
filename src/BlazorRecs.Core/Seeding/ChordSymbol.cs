namespace BlazorRecs.Core.Seeding;

/// <summary>A chord written as a Roman numeral relative to the tonic: <c>I</c>, <c>ii7</c>, <c>bVII5</c>, <c>Imaj7</c>,
/// <c>iio</c>, <c>Isus4</c>. Upper case is major, lower case minor; the suffix adds a seventh (<c>7</c>, <c>maj7</c>),
/// makes it diminished (<c>o</c>), a power chord (<c>5</c>) or suspended (<c>sus4</c>).</summary>
/// <param name="Root">Semitones above the tonic.</param>
/// <param name="Intervals">Chord tones in semitones above the root, root first.</param>
public sealed record ChordSymbol(int Root, IReadOnlyList<int> Intervals)
{
    private static readonly (string Numeral, int Semitones)[] Numerals =
        [("VII", 11), ("III", 4), ("IV", 5), ("VI", 9), ("II", 2), ("V", 7), ("I", 0)];

    /// <summary>Reads a chord symbol, or returns false when it is not one.</summary>
    public static bool TryParse(string text, out ChordSymbol chord)
    {
        chord = new ChordSymbol(0, [0, 4, 7]);
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int at = 0, accidental = 0;
        if (text.Length > 1 && text[0] is 'b' or '#' && text[1] is 'I' or 'V' or 'i' or 'v')
        {
            accidental = text[0] == 'b' ? -1 : 1;
            at = 1;
        }

        foreach ((string numeral, int semitones) in Numerals)
        {
            if (string.Compare(text, at, numeral, 0, numeral.Length, StringComparison.OrdinalIgnoreCase) != 0)
            {
                continue;
            }

            string written = text.Substring(at, numeral.Length);
            bool upper = written.All(char.IsUpper);
            bool lower = written.All(char.IsLower);
            if (!upper && !lower)
            {
                return false;
            }

            int[]? intervals = text[(at + numeral.Length)..] switch
            {
                "" => upper ? [0, 4, 7] : [0, 3, 7],
                "7" => upper ? [0, 4, 7, 10] : [0, 3, 7, 10],
                "maj7" => [0, 4, 7, 11],
                "o" => [0, 3, 6],
                "5" => [0, 7, 12],
                "sus4" => [0, 5, 7],
                _ => null,
            };
            if (intervals is null)
            {
                return false;
            }

            chord = new ChordSymbol(((semitones + accidental) % 12 + 12) % 12, intervals);
            return true;
        }

        return false;
    }

    /// <summary>Reads a chord symbol.</summary>
    /// <exception cref="FormatException">It is not one.</exception>
    public static ChordSymbol Parse(string text)
        => TryParse(text, out ChordSymbol chord) ? chord : throw new FormatException($"'{text}' is not a chord symbol.");
}
