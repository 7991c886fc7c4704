using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BlazorRecs.Core.Configuration;
using Microsoft.Extensions.Options;

namespace BlazorRecs.Web.Features.Admin;

/// <summary>
/// Checks the admin password: the configured one, or else one generated on first start whose salted PBKDF2 hash is
/// kept in the data directory (the clear text is printed once and never stored).
/// </summary>
public sealed class AdminCredentials
{
    private const int Iterations = 100_000;
    private readonly byte[] _salt;
    private readonly byte[] _hash;

    /// <summary>Loads or creates the credentials.</summary>
    public AdminCredentials(IOptions<AdminOptions> admin, IOptions<BlazorRecsOptions> options, ILogger<AdminCredentials> logger)
    {
        if (!string.IsNullOrEmpty(admin.Value.Password))
        {
            _salt = RandomNumberGenerator.GetBytes(16);
            _hash = Hash(admin.Value.Password, _salt);
            return;
        }

        string file = Path.Combine(options.Value.DataPath, "admin-password.json");
        if (File.Exists(file))
        {
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(file))
                         ?? throw new InvalidOperationException($"{file} is empty; delete it to generate a new admin password.");
            _salt = Convert.FromBase64String(stored.Salt);
            _hash = Convert.FromBase64String(stored.Hash);
            return;
        }

        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y').TrimEnd('=');
        _salt = RandomNumberGenerator.GetBytes(16);
        _hash = Hash(password, _salt);
        Directory.CreateDirectory(options.Value.DataPath);
        File.WriteAllText(file, JsonSerializer.Serialize(new Stored(Convert.ToBase64String(_salt), Convert.ToBase64String(_hash))));
        // Printed once, on the console only: the operator needs it to start jobs and imports.
        Console.WriteLine($"""

            ==== BlazorRecs admin password (shown once; set BlazorRecs:Admin:Password to choose your own): {password}

            """);
        logger.LogWarning("Generated an admin password (printed above); its hash is in {File}. Delete that file to generate a new one.", file);
    }

    /// <summary>True when <paramref name="password"/> is the admin password.</summary>
    public bool Verify(string? password) =>
        !string.IsNullOrEmpty(password) && CryptographicOperations.FixedTimeEquals(Hash(password, _salt), _hash);

    private static byte[] Hash(string password, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);

    private sealed record Stored(string Salt, string Hash);
}
