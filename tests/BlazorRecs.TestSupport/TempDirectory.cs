namespace BlazorRecs.TestSupport;

/// <summary>Deletes a test's temporary directory. Work that finishes just after a host stops (a progress write, an
/// SQLite checkpoint) can recreate a file while the directory is being deleted, so a few tries are allowed.</summary>
public static class TempDirectory
{
    public static async Task DeleteAsync(string path)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 10)
            {
                await Task.Delay(100 * attempt);
            }
        }
    }
}
