using MudBlazor;

namespace BlazorRecs.Web.Components.Layout;

/// <summary>The app's light and dark palettes.</summary>
internal static class AppTheme
{
    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#6d28d9",
            Secondary = "#0d9488",
            AppbarBackground = "#4c1d95",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a78bfa",
            Secondary = "#2dd4bf",
            AppbarBackground = "#1e1b2e",
            Background = "#121018",
            Surface = "#1c1926",
            DrawerBackground = "#171420",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
