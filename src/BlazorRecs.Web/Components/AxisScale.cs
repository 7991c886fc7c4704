using System.Globalization;

namespace BlazorRecs.Web.Components;

/// <summary>
/// How an axis chart draws values of any size readably. MudBlazor spaces the vertical axis's ticks in whole units
/// (<c>YAxisTicks</c> is an integer of at least 1, and 20 by default), so values below a few units (an NDCG, a hinge
/// loss) drew as flat lines and bars a few pixels tall on a 0-20 axis. The values are multiplied by a power of ten
/// until the largest is at least 5, and the ticks are a 1-2-5 step giving about five of them; the chart's title says
/// what the values were multiplied by.
/// </summary>
/// <param name="Factor">What the values are multiplied by before drawing (1, 10, 100, ...).</param>
/// <param name="Tick">The spacing of the vertical ticks, in drawn units.</param>
public readonly record struct AxisScale(double Factor, int Tick)
{
    private const double SmallestTop = 5;

    /// <summary>The scale for these values (non-finite ones are ignored).</summary>
    public static AxisScale For(IEnumerable<double?> values)
    {
        double max = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => Math.Abs(v!.Value)).DefaultIfEmpty(0).Max();
        double factor = 1;
        while (max > 0 && max * factor < SmallestTop && factor < 1e9)
        {
            factor *= 10;
        }

        return new AxisScale(factor, NiceStep(max * factor / 5));
    }

    /// <summary>A value as drawn; none for a value that is not a number (a metric a run lacks).</summary>
    public double? Apply(double? value) => value is { } v && double.IsFinite(v) ? v * Factor : null;

    /// <summary>The chart's title, saying what the values were multiplied by.</summary>
    public string Title(string title) => Factor == 1 ? title : string.Create(CultureInfo.InvariantCulture, $"{title} (× {Factor:#,0})");

    // 1, 2 or 5 times a power of ten, at least 1.
    private static int NiceStep(double rough)
    {
        if (rough <= 1)
        {
            return 1;
        }

        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double mantissa = rough / power;
        return (int)Math.Min(int.MaxValue, (mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10) * power);
    }
}
