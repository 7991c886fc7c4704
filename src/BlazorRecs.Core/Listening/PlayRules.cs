namespace BlazorRecs.Core.Listening;

/// <summary>When a listen counts as a play (the streaming industry's rule the issue adopts).</summary>
public static class PlayRules
{
    /// <summary>A listen counts once 30 s, or half the track when it is shorter than a minute, has been heard.</summary>
    public static int CountThresholdMs(int durationMs) => Math.Min(30_000, durationMs / 2);

    /// <summary>True when <paramref name="msPlayed"/> is too short to count: the play is logged as a skip.</summary>
    public static bool IsSkip(int msPlayed, int durationMs) => msPlayed < CountThresholdMs(durationMs);

    /// <summary>Players report a little more than the duration (timer granularity); beyond this it is an error.</summary>
    public const int ReportToleranceMs = 1500;
}
