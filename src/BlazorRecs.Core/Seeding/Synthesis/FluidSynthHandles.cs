using System.Runtime.InteropServices;

namespace BlazorRecs.Core.Seeding.Synthesis;

/// <summary>Owns a fluid_settings_t.</summary>
internal sealed class FluidSettingsHandle() : SafeHandle(nint.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.DeleteSettings(handle);
        return true;
    }
}

/// <summary>Owns a fluid_synth_t (and the SoundFonts loaded into it). Its settings must outlive it.</summary>
internal sealed class FluidSynthHandle() : SafeHandle(nint.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.DeleteSynth(handle);
        return true;
    }
}

/// <summary>Owns a fluid_player_t. It must be released before its synth.</summary>
internal sealed class FluidPlayerHandle() : SafeHandle(nint.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.DeletePlayer(handle);
        return true;
    }
}
