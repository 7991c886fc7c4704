using System.Runtime.InteropServices;

namespace BlazorRecs.Core.Seeding.Synthesis;

/// <summary>How <see cref="MidiSynthesizer"/> renders: the SoundFont, the output rate and the synth's gain.</summary>
public sealed record SynthesisSettings(string SoundFontPath, int SampleRate, double Gain, int Polyphony = 96);

/// <summary>libfluidsynth is missing, the SoundFont cannot be loaded, or a MIDI file is refused.</summary>
public sealed class SynthesisException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Renders Standard MIDI Files to PCM with libfluidsynth in this process. Against the fluidsynth command line this
/// saves a process start per track, a PCM round trip through a temporary file, the tool's polling sleeps at the end
/// of a file, and the release tail past the track's length (it renders exactly the frames asked for).
/// <para>
/// Every render gets a fresh synth: a reused one carries state (the player's sample clock against the 64-frame
/// block grid) into the next song, so a track's audio would depend on what was rendered before it on that thread.
/// With a fresh synth, the same MIDI renders to the same samples on any thread, in any order.
/// </para>
/// <para>
/// A fresh synth is cheap only while the SoundFont's samples are resident: fluidsynth shares them between synths
/// through a process-wide, mutex-guarded cache, so loading FluidR3 costs about 0.5 s the first time and about 50 ms
/// while another synth holds it. <see cref="KeepSoundFontLoaded"/> holds a resident synth for a batch of renders.
/// Samples are always loaded whole: fluidsynth's dynamic (per-preset) sample loading frees samples through that
/// cache without its lock and corrupts it when synths in two threads share a sample. Thread-safe.
/// </para>
/// </summary>
public sealed class MidiSynthesizer
{
    // The player's timers run once per write call: writing fluidsynth's own 64-frame block keeps its event timing
    // at block resolution, as the command line's fast renderer does.
    private const int BlockFrames = 64;

    private static readonly Lazy<string> LibraryVersion = new(LoadLibrary);
    private readonly SynthesisSettings _settings;
    private readonly Lock _residentLock = new();
    private (FluidSettingsHandle Settings, FluidSynthHandle Synth)? _resident;
    private int _residentHolders;

    /// <summary>Creates a synthesizer; nothing native is touched until the first render.</summary>
    public MidiSynthesizer(SynthesisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.SampleRate, 8000);
        _settings = settings;
    }

    /// <summary>libfluidsynth's version, loading the library on first use.</summary>
    /// <exception cref="SynthesisException">The library is not installed.</exception>
    public static string Version => LibraryVersion.Value;

    /// <summary>
    /// Plays <paramref name="midi"/> from its start for exactly <paramref name="frames"/> frames: a shorter song ends in
    /// its release tail and silence, a longer one is cut. Returns interleaved stereo samples (left, right, ...).
    /// </summary>
    /// <exception cref="SynthesisException">The library or the SoundFont is missing, or the MIDI data is refused.</exception>
    public float[] Render(byte[] midi, int frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(midi);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        _ = LibraryVersion.Value;

        using IDisposable resident = KeepSoundFontLoaded();
        (FluidSettingsHandle settings, FluidSynthHandle synth) = CreateSynth();
        using FluidSettingsHandle settingsLifetime = settings;
        using FluidSynthHandle synthLifetime = synth;

        var pcm = new float[frames * 2];
        using (FluidPlayerHandle player = NativeMethods.NewPlayer(synth))
        {
            Check(!player.IsInvalid, "could not create a fluidsynth MIDI player");
            Check(NativeMethods.AddMidi(player, midi, (nuint)midi.Length) == NativeMethods.Ok, "the MIDI data was refused");
            Check(NativeMethods.Play(player) == NativeMethods.Ok, "the MIDI player did not start");
            for (int done = 0; done < frames; done += BlockFrames)
            {
                if ((done & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                int n = Math.Min(BlockFrames, frames - done);
                Check(NativeMethods.WriteFloat(synth, n, pcm, 2 * done, 2, pcm, 2 * done + 1, 2) == NativeMethods.Ok, "rendering failed");
            }

            NativeMethods.Stop(player);
        }

        return pcm;
    }

    /// <summary>
    /// Keeps the SoundFont's samples loaded until the returned handle is disposed, so that each render's fresh synth
    /// finds them in fluidsynth's cache instead of reading 140 MB again. Nested and concurrent holders share one copy;
    /// it is freed when the last lets go. <see cref="Render"/> holds it for its own duration.
    /// </summary>
    /// <exception cref="SynthesisException">The library or the SoundFont is missing.</exception>
    public IDisposable KeepSoundFontLoaded()
    {
        _ = LibraryVersion.Value;
        lock (_residentLock)
        {
            _resident ??= CreateSynth();
            _residentHolders++;
        }

        return new ResidentLease(this);
    }

    private void Release()
    {
        lock (_residentLock)
        {
            if (--_residentHolders == 0 && _resident is { } resident)
            {
                resident.Synth.Dispose();
                resident.Settings.Dispose();
                _resident = null;
            }
        }
    }

    private (FluidSettingsHandle Settings, FluidSynthHandle Synth) CreateSynth()
    {
        FluidSettingsHandle settings = NativeMethods.NewSettings();
        try
        {
            Check(!settings.IsInvalid, "could not create fluidsynth settings");
            // Reverb and chorus cost about a third of the synthesis time and blur the genre contrast. The sample
            // timing source drives the MIDI player from rendered frames rather than the wall clock: that is what
            // makes it deterministic. Dynamic sample loading stays off (see the class remarks).
            Set(settings, "synth.reverb.active", 0);
            Set(settings, "synth.chorus.active", 0);
            Set(settings, "synth.dynamic-sample-loading", 0);
            Set(settings, "synth.polyphony", _settings.Polyphony);
            Set(settings, "synth.cpu-cores", 1);
            Set(settings, "synth.lock-memory", 0);
            Check(NativeMethods.SetNumber(settings, "synth.sample-rate", _settings.SampleRate) == NativeMethods.Ok, "synth.sample-rate refused");
            Check(NativeMethods.SetNumber(settings, "synth.gain", _settings.Gain) == NativeMethods.Ok, "synth.gain refused");
            Check(NativeMethods.SetString(settings, "player.timing-source", "sample") == NativeMethods.Ok, "player.timing-source refused");

            FluidSynthHandle synth = NativeMethods.NewSynth(settings);
            try
            {
                Check(!synth.IsInvalid, "could not create a fluidsynth synth");
                if (NativeMethods.LoadSoundFont(synth, _settings.SoundFontPath, 1) == NativeMethods.Failed)
                {
                    throw new SynthesisException(File.Exists(_settings.SoundFontPath)
                        ? $"fluidsynth could not load the SoundFont '{_settings.SoundFontPath}'."
                        : $"The SoundFont '{_settings.SoundFontPath}' is missing (BlazorRecs:Seed:SoundFontPath; ./run.sh installs fluid-soundfont-gm).");
                }

                return (settings, synth);
            }
            catch
            {
                synth.Dispose();
                throw;
            }
        }
        catch
        {
            settings.Dispose();
            throw;
        }
    }

    private static void Set(FluidSettingsHandle settings, string name, int value)
        => Check(NativeMethods.SetInt(settings, name, value) == NativeMethods.Ok, $"{name} refused");

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new SynthesisException($"fluidsynth: {what}.");
        }
    }

    private static string LoadLibrary()
    {
        try
        {
            // Warnings (a SoundFont's odd generator, say) would go to the server's stderr once per track; errors
            // still print, and every failure also surfaces as a SynthesisException.
            NativeMethods.SetLogFunction(NativeMethods.LogWarning, nint.Zero, nint.Zero);
            NativeMethods.SetLogFunction(NativeMethods.LogInfo, nint.Zero, nint.Zero);
            NativeMethods.SetLogFunction(NativeMethods.LogDebug, nint.Zero, nint.Zero);
            return Marshal.PtrToStringUTF8(NativeMethods.VersionString()) ?? "unknown";
        }
        catch (DllNotFoundException ex)
        {
            throw new SynthesisException($"{NativeMethods.Library} is not installed (Debian: libfluidsynth3; ./run.sh installs it).", ex);
        }
    }

    private sealed class ResidentLease(MidiSynthesizer owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
