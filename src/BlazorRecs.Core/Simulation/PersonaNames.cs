namespace BlazorRecs.Core.Simulation;

/// <summary>Deterministic, plausible display names for personas. Kept in code (not a data file) so the library stays
/// free of I/O.</summary>
internal static class PersonaNames
{
    private static readonly string[] FirstNames =
    [
        "Aino", "Amara", "Anders", "Ana", "Anya", "Arjun", "Aylin", "Ben", "Bianca", "Carlos", "Chen", "Chloe",
        "Dario", "Daniel", "Elena", "Emeka", "Emma", "Farah", "Felix", "Freya", "Gabriel", "Hana", "Hugo", "Ines",
        "Ivan", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Lars", "Laila", "Leo", "Lucia", "Maja", "Marek",
        "Mateo", "Mei", "Mira", "Nadia", "Niko", "Noah", "Olga", "Omar", "Paula", "Priya", "Rafael", "Rosa", "Sami",
        "Sara", "Sofia", "Tariq", "Tessa", "Theo", "Uma", "Vera", "Wei", "Yara", "Yusuf", "Zoe",
    ];

    private static readonly string[] Surnames =
    [
        "Aaltonen", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi", "Brennan", "Castro", "Chowdhury",
        "Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Haddad", "Hansen", "Hoffmann", "Ivanova", "Jensen",
        "Kaur", "Kim", "Kowalski", "Lambert", "Larsen", "Li", "Lindqvist", "Lopez", "Mensah", "Moreau", "Murphy",
        "Nakamura", "Nguyen", "Novak", "Okafor", "Oliveira", "Park", "Patel", "Petrov", "Quinn", "Rahman", "Rossi",
        "Santos", "Schmidt", "Silva", "Singh", "Sato", "Tanaka", "Thomsen", "Torres", "Varga", "Virtanen", "Wagner",
        "Walsh", "Wang", "Weber", "Yilmaz", "Zhang", "Zielinski",
    ];

    private static int Capacity => FirstNames.Length * Surnames.Length;

    /// <summary>
    /// The name of listener <paramref name="index"/>. An affine map index -> (a * index + b) mod capacity with a
    /// coprime to the capacity is a bijection, so the first <see cref="Capacity"/> listeners get distinct names;
    /// beyond that a counter keeps them distinct.
    /// </summary>
    public static string For(int seed, int index)
    {
        ulong h = SimRandom.Hash(seed, -1, SimRandom.Stream.Names);
        long capacity = Capacity;
        long a = (long)(h % (ulong)capacity) | 1;
        while (Gcd(a, capacity) != 1)
        {
            a += 2;
        }

        long b = (long)((h >> 32) % (ulong)capacity);
        long k = ((a * (index % capacity)) + b) % capacity;
        string name = $"{FirstNames[k % FirstNames.Length]} {Surnames[k / FirstNames.Length]}";
        long round = index / capacity;
        return round == 0 ? name : $"{name} {round + 1}";
    }

    private static long Gcd(long x, long y)
    {
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        return x;
    }
}
