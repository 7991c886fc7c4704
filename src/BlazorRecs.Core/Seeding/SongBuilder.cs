namespace BlazorRecs.Core.Seeding;

/// <summary>
/// Composes one track: fits the genre's song form to the track length, then writes drums, bass, chords, pad and a
/// motif-based melody bar by bar. Genre character comes from the definitions (patterns, styles, scales, swing,
/// velocities); this class only knows how each named style is played.
/// </summary>
internal sealed class SongBuilder
{
    private const int Lead = 0, ChordCh = 1, BassCh = 2, PadCh = 3, DrumCh = 9;
    private const int Step = MidiWriter.Ppq / 4;

    private readonly SeedDefinitions _defs;
    private readonly GenreDefinition _genre;
    private readonly TrackPlan _track;
    private readonly TrackStyle _s;
    private readonly Random _rng;
    private readonly int _beats;
    private readonly long _barTicks;
    private readonly long _endTick;
    private readonly int _bars;
    private readonly IReadOnlyList<int> _melodyScale;
    private readonly IReadOnlyList<string> _progression;
    private readonly IReadOnlyList<string> _alternate;
    private readonly Dictionary<string, List<MotifNote>> _motifs = [];
    private readonly bool[] _grooveMask;
    private readonly MidiWriter _midi = new();
    private MidiTrack _lead = null!, _chords = null!, _bass = null!, _pad = null!, _drums = null!;

    public SongBuilder(SeedDefinitions defs, GenreDefinition genre, TrackPlan track, int seconds, Random rng)
    {
        _defs = defs;
        _genre = genre;
        _track = track;
        _s = track.Style;
        _rng = rng;
        _beats = _s.BeatsPerBar;
        _barTicks = (long)_beats * MidiWriter.Ppq;
        _endTick = (long)Math.Round(seconds * track.TempoBpm / 60.0 * MidiWriter.Ppq);
        _bars = Math.Max(1, (int)(_endTick / _barTicks));
        HarmonyDefinition harmony = genre.Harmony[_s.Harmony];
        _melodyScale = defs.Music.Scales[genre.MelodyScale ?? harmony.Mode];
        _progression = harmony.Progressions[_s.Progression];
        _alternate = harmony.Alternate.Count > 0 ? harmony.Alternate[rng.Next(harmony.Alternate.Count)] : _progression;
        // One syncopated sixteenth groove per track for the funk bass and guitar, so the riff repeats like a riff.
        _grooveMask = Enumerable.Range(0, _beats * 4).Select(i => i == 0 || rng.NextDouble() < (i % 4 == 0 ? 0.6 : 0.4)).ToArray();
    }

    public byte[] Build()
    {
        MidiTrack conductor = _midi.AddTrack(_track.Title);
        conductor.Tempo(0, (int)Math.Round(60_000_000 / _track.TempoBpm));
        conductor.TimeSignature(0, _beats);
        _lead = Part("lead", Lead, _s.Lead, volume: 100, pan: 64);
        _chords = Part("chords", ChordCh, _s.Chords, volume: 78, pan: 40);
        _bass = Part("bass", BassCh, _s.Bass, volume: 100, pan: 64);
        if (_s.Pad is { } pad)
        {
            _pad = Part("pad", PadCh, pad, volume: 62, pan: 88);
        }

        if (_s.DrumKit is { } kit)
        {
            _drums = _midi.AddTrack("drums");
            _drums.Program(0, DrumCh, _defs.Music.DrumKits[kit].Program);
            _drums.Controller(0, DrumCh, 7, 104);
        }

        int bar = 0, harmonicBar = 0, alternateBar = 0;
        List<(string Name, SectionDefinition Def, int Bars)> sections = FitForm();
        for (int si = 0; si < sections.Count; si++)
        {
            (string name, SectionDefinition def, int bars) = sections[si];
            // Short progressions restart with each section; long ones (a 12-bar blues) run across sections.
            if (_progression.Count <= 4)
            {
                harmonicBar = 0;
            }

            for (int b = 0; b < bars; b++, bar++)
            {
                string symbol = def.AlternateHarmony ? _alternate[alternateBar++ % _alternate.Count] : _progression[harmonicBar++ % _progression.Count];
                ChordSymbol chord = ChordSymbol.Parse(symbol);
                long t = bar * _barTicks;
                double intensity = Math.Clamp(def.Intensity * _s.Dynamics, 0.2, 1);
                bool last = def.Ending && b == bars - 1;
                if (last)
                {
                    EndingBar(t, intensity);
                    continue;
                }

                bool beforeNewSection = b == bars - 1 && si + 1 < sections.Count;
                Drums(t, def, intensity, sectionStart: b == 0 && si > 0, fill: beforeNewSection && def.Drums == "full");
                Bass(t, chord, NextChord(def, harmonicBar, alternateBar), intensity);
                Chords(t, chord, intensity);
                if (_s.Pad is not null)
                {
                    Sustain(_pad, PadCh, t, _barTicks, Voicing(chord, 60), Velocity(intensity * 0.8));
                }

                Melody(t, name, def, b, chord, intensity);
            }
        }

        return _midi.ToBytes(_endTick);
    }

    private MidiTrack Part(string name, int channel, string instrument, int volume, int pan)
    {
        MidiTrack track = _midi.AddTrack(name);
        track.Program(0, channel, _defs.Music.Instruments[instrument].Program);
        track.Controller(0, channel, 7, volume);
        track.Controller(0, channel, 10, pan);
        return track;
    }

    // The intro and the ending are kept (shortened if needed); the body between them loops until the bars run out.
    private List<(string, SectionDefinition, int)> FitForm()
    {
        IReadOnlyList<string> form = _genre.Forms[_s.Form];
        var result = new List<(string, SectionDefinition, int)>();
        SectionDefinition lastDef = _defs.Music.Sections[form[^1]];
        int endingBars = lastDef.Ending ? Math.Min(lastDef.Bars, Math.Max(1, _bars / 6)) : 0;
        if (_bars <= 1)
        {
            endingBars = lastDef.Ending ? 1 : 0;
        }

        var body = lastDef.Ending ? form.Take(form.Count - 1).ToList() : form.ToList();
        int remaining = _bars - endingBars;
        int loopFrom = body.Count > 1 && _defs.Music.Sections[body[0]].Melody == 0 ? 1 : 0;
        for (int i = 0; remaining > 0 && body.Count > 0;)
        {
            SectionDefinition def = _defs.Music.Sections[body[i]];
            int bars = Math.Min(def.Bars, remaining);
            result.Add((body[i], def, bars));
            remaining -= bars;
            i = i + 1 < body.Count ? i + 1 : loopFrom;
        }

        if (endingBars > 0)
        {
            result.Add((form[^1], lastDef, endingBars));
        }

        return result;
    }

    private ChordSymbol NextChord(SectionDefinition def, int harmonicBar, int alternateBar)
        => ChordSymbol.Parse(def.AlternateHarmony ? _alternate[alternateBar % _alternate.Count] : _progression[harmonicBar % _progression.Count]);

    private int Velocity(double intensity)
    {
        double v = _genre.Velocity[0] + (_genre.Velocity[1] - _genre.Velocity[0]) * intensity;
        return (int)Math.Clamp(Math.Round(v + _rng.Next(-5, 6)), 1, 127);
    }

    /// <summary>The tick of sixteenth <paramref name="step"/> in a bar starting at <paramref name="bar"/>, with swing.</summary>
    private long At(long bar, int step)
    {
        double offset = 0;
        if (_s.SwingUnit == 8 && step % 4 == 2)
        {
            offset = _s.Swing * 2 * Step;
        }
        else if (_s.SwingUnit == 16 && step % 2 == 1)
        {
            offset = _s.Swing * Step;
        }

        return bar + step * Step + (long)Math.Round(offset);
    }

    private long Clip(long start, long duration) => Math.Max(1, Math.Min(duration, _endTick - 1 - start));

    private void Note(MidiTrack track, int channel, long start, long duration, int pitch, int velocity)
    {
        if (start < _endTick - 1)
        {
            track.Note(start, Clip(start, duration), channel, pitch, velocity);
        }
    }

    private int Root(ChordSymbol chord) => (_s.Key + chord.Root) % 12;

    /// <summary>Close voicing with its lowest note at or above <paramref name="floor"/> - 6.</summary>
    private int[] Voicing(ChordSymbol chord, int floor)
    {
        int root = floor - 6 + ((Root(chord) - (floor - 6)) % 12 + 12) % 12;
        return chord.Intervals.Select(i => root + i).ToArray();
    }

    private int BassNote(ChordSymbol chord, int interval = 0)
    {
        int note = 36 + Root(chord) + interval;
        while (note > 47)
        {
            note -= 12;
        }

        return Math.Max(note, 28);
    }

    private void Sustain(MidiTrack track, int channel, long t, long duration, IEnumerable<int> pitches, int velocity)
    {
        foreach (int p in pitches)
        {
            Note(track, channel, t, duration - Step / 4, p, velocity);
        }
    }

    private void Drums(long t, SectionDefinition def, double intensity, bool sectionStart, bool fill)
    {
        if (_s.DrumKit is null || def.Drums == "none")
        {
            return;
        }

        IReadOnlyDictionary<string, string> pattern = _genre.Drums.Patterns[_s.DrumPattern];
        bool sparse = def.Drums == "sparse";
        int steps = _beats * 4;
        int fillFrom = steps - 4;
        foreach ((string drum, string hits) in pattern)
        {
            int note = _defs.Music.DrumNotes[drum];
            bool keepWhenSparse = drum is "kick" or "rim" or "claves" or "ride" or "closedHat" or "pedalHat" or "highConga" or "tambourine";
            if (sparse && !keepWhenSparse)
            {
                continue;
            }

            for (int step = 0; step < steps; step++)
            {
                char c = hits[step % hits.Length];
                if (c == '.' || (sparse && step % 4 != 0) || (fill && step >= fillFrom && drum is "snare" or "closedHat" or "openHat"))
                {
                    continue;
                }

                double accent = c switch { 'X' => 1.0, 'o' => 0.45, _ => 0.8 };
                Note(_drums, DrumCh, At(t, step), Step, note, (int)(Velocity(intensity) * accent));
            }
        }

        if (sectionStart && !sparse)
        {
            Note(_drums, DrumCh, t, Step * 4, _defs.Music.DrumNotes["crash"], Velocity(intensity));
        }

        if (fill)
        {
            // A one-beat fill leading into the next section: snare sixteenths rising to the toms.
            int[] toms = [_defs.Music.DrumNotes["snare"], _defs.Music.DrumNotes["snare"], _defs.Music.DrumNotes["highTom"], _defs.Music.DrumNotes["lowTom"]];
            for (int i = 0; i < 4; i++)
            {
                Note(_drums, DrumCh, At(t, fillFrom + i), Step, toms[i], (int)(Velocity(intensity) * (0.7 + 0.1 * i)));
            }
        }
    }

    private void Bass(long t, ChordSymbol chord, ChordSymbol next, double intensity)
    {
        int root = BassNote(chord);
        int fifth = root + 7;
        int third = root + (chord.Intervals.Count > 1 ? chord.Intervals[1] : 4);
        int steps = _beats * 4;
        int v = Velocity(intensity);
        switch (_s.BassStyle)
        {
            case "root8":
                for (int s = 0; s < steps; s += 2)
                {
                    Note(_bass, BassCh, At(t, s), Step * 2 - 10, s == steps - 2 && _rng.NextDouble() < 0.3 ? fifth : root, s % 4 == 0 ? v : v - 10);
                }

                break;
            case "root16":
                for (int s = 0; s < steps; s++)
                {
                    Note(_bass, BassCh, At(t, s), Step - 20, root, s % 4 == 0 ? v : v - 15);
                }

                break;
            case "walking":
            {
                int target = BassNote(next);
                int[] line = [root, _rng.NextDouble() < 0.5 ? third : fifth, _rng.NextDouble() < 0.5 ? fifth : root + 12 - 2, target + (_rng.NextDouble() < 0.5 ? 1 : -1)];
                for (int beat = 0; beat < _beats; beat++)
                {
                    int p = beat == _beats - 1 ? line[3] : line[Math.Min(beat, 2)];
                    Note(_bass, BassCh, At(t, beat * 4), Step * 4 - 20, p, beat % 2 == 0 ? v : v - 8);
                }

                break;
            }

            case "boogie":
            {
                int[] walk = [0, 4, 7, 9, 10, 9, 7, 4];
                for (int s = 0, i = 0; s < steps; s += 2, i++)
                {
                    Note(_bass, BassCh, At(t, s), Step * 2 - 10, root + walk[i % walk.Length], s % 4 == 0 ? v : v - 10);
                }

                break;
            }

            case "rootFifth":
                Note(_bass, BassCh, t, Step * 4 - 20, root, v);
                if (_beats == 4)
                {
                    Note(_bass, BassCh, At(t, 8), Step * 4 - 20, fifth - 12 >= 28 ? fifth - 12 : fifth, v - 8);
                }

                break;
            case "rootHalf":
                Note(_bass, BassCh, t, Step * 4 * (_beats == 4 ? 2 : 3) - 20, root, v);
                if (_beats == 4)
                {
                    Note(_bass, BassCh, At(t, 8), Step * 8 - 20, fifth - 12 >= 28 ? fifth - 12 : fifth, v - 8);
                }

                break;
            case "drone":
                Note(_bass, BassCh, t, _barTicks, root, v);
                break;
            case "hiphop":
                Note(_bass, BassCh, t, Step * 6, root, v);
                Note(_bass, BassCh, At(t, 7), Step * 3, root, v - 10);
                Note(_bass, BassCh, At(t, 10), Step * 5, _rng.NextDouble() < 0.5 ? root : fifth - 12 >= 28 ? fifth - 12 : fifth, v - 5);
                break;
            case "offbeat":
                for (int s = 2; s < steps; s += 4)
                {
                    Note(_bass, BassCh, At(t, s), Step * 2 - 10, root, v);
                }

                break;
            case "tumbao":
                Note(_bass, BassCh, At(t, 6), Step * 6, fifth - 12 >= 28 ? fifth - 12 : fifth, v);
                Note(_bass, BassCh, At(t, 12), Step * 4, BassNote(next), v);
                break;
            case "reggae":
                Note(_bass, BassCh, t, Step * 3, root, v);
                Note(_bass, BassCh, At(t, 3), Step * 2, root, v - 10);
                Note(_bass, BassCh, At(t, 6), Step * 2, fifth - 12 >= 28 ? fifth - 12 : third, v - 5);
                Note(_bass, BassCh, At(t, 10), Step * 2, third, v - 8);
                Note(_bass, BassCh, At(t, 12), Step * 3, root + 12, v - 5);
                break;
            case "funk":
            {
                int[] colours = [0, 12, 10, 7];
                for (int s = 0; s < steps; s++)
                {
                    if (_grooveMask[s])
                    {
                        int p = s == 0 ? root : root + colours[(s * 7 + 3) % colours.Length];
                        Note(_bass, BassCh, At(t, s), s % 4 == 0 ? Step * 2 : Step - 20, p, s % 4 == 0 ? v : v - 12);
                    }
                }

                break;
            }

            default:
                throw new InvalidDataException($"Unknown bass style '{_s.BassStyle}' in genre '{_genre.Name}'.");
        }
    }

    private void Chords(long t, ChordSymbol chord, double intensity)
    {
        int steps = _beats * 4;
        int v = Velocity(intensity * 0.9);
        int[] voicing = Voicing(chord, 60);
        switch (_s.ChordStyle)
        {
            case "sustain":
                Sustain(_chords, ChordCh, t, _barTicks, voicing, v - 10);
                break;
            case "strum":
                for (int beat = 0; beat < _beats; beat++)
                {
                    Strum(At(t, beat * 4), Step * 3, voicing, beat == 0 ? v : v - 10, down: true);
                    if (_beats == 4 && beat % 2 == 1)
                    {
                        Strum(At(t, beat * 4 + 2), Step * 2, voicing, v - 18, down: false);
                    }
                }

                break;
            case "shuffle":
            {
                int root = Voicing(chord, 52)[0];
                for (int s = 0; s < steps; s += 2)
                {
                    int upper = s % 4 == 0 ? root + 7 : root + 9;
                    Note(_chords, ChordCh, At(t, s), Step * 2 - 20, root, v);
                    Note(_chords, ChordCh, At(t, s), Step * 2 - 20, upper, v);
                }

                break;
            }

            case "power8":
            case "power16":
            {
                int root = Voicing(chord, 46)[0];
                int every = _s.ChordStyle == "power8" ? 2 : 1;
                for (int s = 0; s < steps; s += every)
                {
                    int vel = s % 4 == 0 ? v : v - 12;
                    long dur = every * Step - (every == 1 ? 40 : 20);
                    Note(_chords, ChordCh, At(t, s), dur, root, vel);
                    Note(_chords, ChordCh, At(t, s), dur, root + 7, vel);
                    Note(_chords, ChordCh, At(t, s), dur, root + 12, vel);
                }

                break;
            }

            case "comp":
            {
                int[] upper = voicing.Skip(1).Append(voicing[0] + 12).ToArray();
                int hits = 2 + _rng.Next(2);
                for (int h = 0; h < hits; h++)
                {
                    int s = _rng.Next(_beats * 2) * 2;
                    Sustain(_chords, ChordCh, At(t, s), Step * (2 + _rng.Next(3)), upper, v - 8);
                }

                break;
            }

            case "arpeggio":
            {
                int[] tones = voicing.Concat(voicing.Select(p => p + 12)).ToArray();
                int[] order = [0, 1, 2, 3, 4, 3, 2, 1];
                for (int s = 0, i = 0; s < steps; s += 2, i++)
                {
                    Note(_chords, ChordCh, At(t, s), Step * 3, tones[order[i % order.Length] % tones.Length], s % 4 == 0 ? v : v - 10);
                }

                break;
            }

            case "stabs":
                for (int s = 2; s < steps; s += 4)
                {
                    Sustain(_chords, ChordCh, At(t, s), Step + Step / 2, voicing, v);
                }

                break;
            case "skank":
                for (int beat = 1; beat < _beats; beat += 2)
                {
                    Sustain(_chords, ChordCh, At(t, beat * 4), Step + Step / 2, voicing.Select(p => p + 12), v);
                    Sustain(_chords, ChordCh, At(t, beat * 4 + 2), Step, voicing.Select(p => p + 12), v - 20);
                }

                break;
            case "montuno":
            {
                int[] eighths = [0, 2, 3, 5, 6];
                for (int i = 0; i < eighths.Length && eighths[i] * 2 < steps; i++)
                {
                    IEnumerable<int> notes = i % 2 == 0 ? [voicing[0] + 12, voicing[0] + 24] : voicing.Skip(1).Select(p => p + 12);
                    Sustain(_chords, ChordCh, At(t, eighths[i] * 2), Step * 2, notes, v);
                }

                break;
            }

            case "chank":
                for (int s = 0; s < steps; s++)
                {
                    if (!_grooveMask[(s + 2) % steps])
                    {
                        continue;
                    }

                    Sustain(_chords, ChordCh, At(t, s), Step - 10, voicing.Skip(1).Select(p => p + 12), s % 8 == 4 ? v : v - 15);
                }

                break;
            default:
                throw new InvalidDataException($"Unknown chord style '{_s.ChordStyle}' in genre '{_genre.Name}'.");
        }
    }

    private void Strum(long t, long duration, int[] voicing, int velocity, bool down)
    {
        IEnumerable<int> notes = down ? voicing : voicing.Reverse();
        int i = 0;
        foreach (int p in notes)
        {
            Note(_chords, ChordCh, t + i * 12, duration - i * 12, p, velocity - i * 2);
            i++;
        }
    }

    private void EndingBar(long t, double intensity)
    {
        // The last bar rings out on the tonic until the end of the track.
        var tonic = ChordSymbol.Parse(_defs.Music.Scales[_genre.Harmony[_s.Harmony].Mode][2] == 3 ? "i" : "I");
        long rest = _endTick - t;
        int v = Velocity(intensity);
        Sustain(_chords, ChordCh, t, rest, Voicing(tonic, 60), v);
        Note(_bass, BassCh, t, rest, BassNote(tonic), v);
        if (_s.Pad is not null)
        {
            Sustain(_pad, PadCh, t, rest, Voicing(tonic, 60), (int)(v * 0.8));
        }

        Note(_lead, Lead, t, rest, 60 + _s.Key + (_s.Key > 6 ? -12 : 0) + 12, v);
        if (_s.DrumKit is not null)
        {
            Note(_drums, DrumCh, t, Step * 8, _defs.Music.DrumNotes["crash"], v);
            Note(_drums, DrumCh, t, Step, _defs.Music.DrumNotes["kick"], v);
        }
    }

    private readonly record struct MotifNote(int Slot, int Slots, int Degree);

    // A two-bar motif per section name, so a chorus sounds like the same chorus when it comes back, varied a little.
    private void Melody(long t, string section, SectionDefinition def, int barInSection, ChordSymbol chord, double intensity)
    {
        double density = Math.Clamp(_genre.Melody.Density * def.Melody, 0, 0.95);
        if (density <= 0)
        {
            return;
        }

        double slotBeats = _genre.Melody.NoteBeats;
        int slotsPerBar = Math.Max(1, (int)Math.Round(_beats / slotBeats));
        long slotTicks = (long)Math.Round(slotBeats * MidiWriter.Ppq);
        if (!_motifs.TryGetValue(section, out List<MotifNote>? motif))
        {
            motif = NewMotif(slotsPerBar * 2, density);
            _motifs[section] = motif;
        }

        int half = barInSection % 2;
        int octave = 12 * _genre.Melody.Octave + (def.OctaveUp ? 12 : 0);
        int v = Velocity(intensity);
        foreach (MotifNote n in motif.Where(n => n.Slot / slotsPerBar == half))
        {
            int degree = n.Degree;
            // Variation when the motif comes back on odd phrases: nudge some notes.
            if (barInSection >= 2 && _rng.NextDouble() < 0.25)
            {
                degree += _rng.Next(-1, 2);
            }

            int pitch = ScalePitch(degree, octave);
            if (n.Slot % slotsPerBar == 0)
            {
                pitch = NearestChordTone(pitch, chord);
            }

            while (pitch > 88)
            {
                pitch -= 12;
            }

            int slotInBar = n.Slot % slotsPerBar;
            int step = (int)Math.Round(slotInBar * slotBeats * 4);
            long start = step < _beats * 4 ? At(t, step) : t + slotInBar * slotTicks;
            Note(_lead, Lead, start, n.Slots * slotTicks - slotTicks / 8, pitch, slotInBar == 0 ? v + 4 : v);
        }
    }

    private List<MotifNote> NewMotif(int slots, double density)
    {
        var notes = new List<MotifNote>();
        int degree = _rng.Next(0, 5);
        for (int slot = 0; slot < slots; slot++)
        {
            bool strong = slot % Math.Max(1, slots / (_beats * 2)) == 0;
            if (_rng.NextDouble() >= (strong ? Math.Min(0.95, density * 1.3) : density))
            {
                continue;
            }

            int leap = _rng.Next(-_genre.Melody.MaxLeap, _genre.Melody.MaxLeap + 1);
            if (_rng.NextDouble() < 0.6)
            {
                leap = Math.Sign(leap);
            }

            degree = Math.Clamp(degree + leap, -3, 10);
            notes.Add(new MotifNote(slot, 1, degree));
        }

        // Legato: each note lasts until the next onset, up to two slots.
        for (int i = 0; i < notes.Count; i++)
        {
            int until = i + 1 < notes.Count ? notes[i + 1].Slot : slots;
            notes[i] = notes[i] with { Slots = Math.Clamp(until - notes[i].Slot, 1, 2) };
        }

        return notes;
    }

    private int ScalePitch(int degree, int octaveBase)
    {
        int n = _melodyScale.Count;
        int octave = (int)Math.Floor(degree / (double)n);
        int index = degree - octave * n;
        return octaveBase + _s.Key + _melodyScale[index] + 12 * octave;
    }

    private int NearestChordTone(int pitch, ChordSymbol chord)
    {
        int root = Root(chord);
        int best = pitch, bestDistance = int.MaxValue;
        for (int d = -6; d <= 6; d++)
        {
            int pc = ((pitch + d - root) % 12 + 12) % 12;
            if (chord.Intervals.Any(i => i % 12 == pc) && Math.Abs(d) < bestDistance)
            {
                best = pitch + d;
                bestDistance = Math.Abs(d);
            }
        }

        return best;
    }
}
