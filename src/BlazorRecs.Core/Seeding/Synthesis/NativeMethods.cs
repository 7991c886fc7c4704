using System.Runtime.InteropServices;

namespace BlazorRecs.Core.Seeding.Synthesis;

/// <summary>The part of libfluidsynth's C API (Debian's libfluidsynth3, fluidsynth 2.x) that renders a MIDI file to
/// PCM in this process. Every object is owned by a <see cref="SafeHandle"/> in <c>FluidSynthHandles.cs</c>.</summary>
internal static partial class NativeMethods
{
    // Debian ships the versioned name only; the unversioned symlink comes with the -dev package.
    internal const string Library = "libfluidsynth.so.3";

    internal const int Ok = 0;
    internal const int Failed = -1;

    // enum fluid_log_level
    internal const int LogPanic = 0, LogError = 1, LogWarning = 2, LogInfo = 3, LogDebug = 4;

    [LibraryImport(Library, EntryPoint = "fluid_version_str")]
    internal static partial nint VersionString();

    [LibraryImport(Library, EntryPoint = "fluid_set_log_function")]
    internal static partial nint SetLogFunction(int level, nint function, nint data);

    [LibraryImport(Library, EntryPoint = "new_fluid_settings")]
    internal static partial FluidSettingsHandle NewSettings();

    [LibraryImport(Library, EntryPoint = "delete_fluid_settings")]
    internal static partial void DeleteSettings(nint settings);

    [LibraryImport(Library, EntryPoint = "fluid_settings_setint", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetInt(FluidSettingsHandle settings, string name, int value);

    [LibraryImport(Library, EntryPoint = "fluid_settings_setnum", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetNumber(FluidSettingsHandle settings, string name, double value);

    [LibraryImport(Library, EntryPoint = "fluid_settings_setstr", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetString(FluidSettingsHandle settings, string name, string value);

    [LibraryImport(Library, EntryPoint = "new_fluid_synth")]
    internal static partial FluidSynthHandle NewSynth(FluidSettingsHandle settings);

    [LibraryImport(Library, EntryPoint = "delete_fluid_synth")]
    internal static partial void DeleteSynth(nint synth);

    /// <returns>The SoundFont's id, or <see cref="Failed"/>.</returns>
    [LibraryImport(Library, EntryPoint = "fluid_synth_sfload", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int LoadSoundFont(FluidSynthHandle synth, string fileName, int resetPresets);

    [LibraryImport(Library, EntryPoint = "fluid_synth_write_float")]
    internal static partial int WriteFloat(FluidSynthHandle synth, int frames,
        [Out] float[] left, int leftOffset, int leftIncrement, [Out] float[] right, int rightOffset, int rightIncrement);

    [LibraryImport(Library, EntryPoint = "new_fluid_player")]
    internal static partial FluidPlayerHandle NewPlayer(FluidSynthHandle synth);

    [LibraryImport(Library, EntryPoint = "delete_fluid_player")]
    internal static partial void DeletePlayer(nint player);

    [LibraryImport(Library, EntryPoint = "fluid_player_add_mem")]
    internal static partial int AddMidi(FluidPlayerHandle player, byte[] buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "fluid_player_play")]
    internal static partial int Play(FluidPlayerHandle player);

    [LibraryImport(Library, EntryPoint = "fluid_player_stop")]
    internal static partial int Stop(FluidPlayerHandle player);
}
