using System.Globalization;
using System.Text.RegularExpressions;
using Bunit;
using BlazorRecs.Core.Jobs;
using BlazorRecs.Web.Components;
using BlazorRecs.Web.Features.Jobs;
using MudBlazor.Services;

namespace BlazorRecs.Web.Tests.Components;

/// <summary>Charts of small values (NDCG, validation scores, hinge losses) read on MudBlazor's whole-unit ticks.</summary>
public sealed partial class ChartScaleTests : IDisposable
{
    private readonly BunitContext _ctx = new();

    public ChartScaleTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public void Dispose() => _ctx.Dispose();

    [Theory]
    [InlineData(new[] { 0.222, 0.5319 }, 10, 1)] // NDCG: 2.2-5.3 on ticks of 1
    [InlineData(new[] { 0.222, 0.4 }, 100, 10)] // 22-40 on ticks of 10
    [InlineData(new[] { 0.05, 0.02 }, 100, 1)]
    [InlineData(new[] { 9.4, 6.1 }, 1, 2)] // a softmax loss reads as it is
    [InlineData(new[] { 1234.0 }, 1, 200)]
    [InlineData(new[] { -0.3, double.NaN }, 100, 5)]
    [InlineData(new[] { 1e12 }, 1, int.MaxValue)]
    [InlineData(new double[0], 1, 1)]
    public void The_largest_value_is_drawn_at_5_or_more_with_about_five_ticks(double[] values, double factor, int tick)
    {
        var scale = AxisScale.For(values.Select(v => (double?)v));
        Assert.Equal(new AxisScale(factor, tick), scale);
        Assert.Equal(factor == 1 ? "NDCG@50" : $"NDCG@50 (× {factor})", scale.Title("NDCG@50"));
        Assert.Null(scale.Apply(double.NaN)); // a metric a run lacks draws no bar
    }

    [Fact]
    public void A_validation_curve_of_small_scores_fills_its_chart()
    {
        CurvePoint[] points =
        [
            .. Enumerable.Range(1, 6).Select(e => new CurvePoint("validation: bert4rec/mfcc", e, 0.02 + 0.005 * e)),
            .. Enumerable.Range(1, 6).Select(e => new CurvePoint("training loss: bert4rec/mfcc", e, 9.4 - 0.5 * e)),
            .. Enumerable.Range(1, 6).Select(e => new CurvePoint("training loss: bert4rec/random init", e, 9.6 - 0.4 * e)),
            .. Enumerable.Range(1, 6).Select(e => new CurvePoint("training loss: shallow-net/mfcc", e, 0.2 - 0.02 * e)),
        ];
        var curve = _ctx.Render<TrainingCurve>(p => p.Add(c => c.Points, points));

        // A chart per quantity and model: BERT4Rec's two losses side by side, the shallow net's hinge loss apart.
        Assert.Equal(["validation: bert4rec (× 100)", "training loss: bert4rec", "training loss: shallow-net (× 100)"],
            curve.FindAll(".mud-typography-caption").Select(e => e.TextContent.Trim()));
        var svgs = curve.FindAll("svg");
        Assert.Equal(3, svgs.Count);
        // Each axis tops out just above its largest value (validation scores x 100 reach 5), not at 20.
        Assert.InRange(TopTick(svgs[0].OuterHtml), 5, 6);
        Assert.InRange(TopTick(svgs[1].OuterHtml), 9.2, 10);
        Assert.InRange(TopTick(svgs[2].OuterHtml), 18, 20);
    }

    // The largest label on the vertical axis of a chart's SVG.
    internal static double TopTick(string svg)
    {
        string axis = YAxis().Match(svg).Groups[1].Value;
        return Labels().Matches(axis).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
    }

    [GeneratedRegex("<g class=\"mud-charts-yaxis\"[^>]*>(.*?)</g>", RegexOptions.Singleline)]
    private static partial Regex YAxis();

    [GeneratedRegex(">([0-9.]+)</text>")]
    private static partial Regex Labels();
}
