using System.Buffers.Binary;
using System.Text;

namespace BlazorRecs.Core.Seeding;

/// <summary>Builds a Standard MIDI File, format 1: one conductor track (tempo, metre) and one track per part.
/// No MIDI library is available here, and the subset the composer needs (notes, program and controller changes,
/// three meta events) is small.</summary>
internal sealed class MidiWriter
{
    /// <summary>Ticks per quarter note.</summary>
    public const int Ppq = 480;

    private readonly List<MidiTrack> _tracks = [];

    /// <summary>Adds a track; events can be added in any order.</summary>
    public MidiTrack AddTrack(string name)
    {
        var track = new MidiTrack(name);
        _tracks.Add(track);
        return track;
    }

    /// <summary>Serialises the file: <c>MThd</c> then one <c>MTrk</c> chunk per track, each ending with End of Track at
    /// <paramref name="endTick"/> (or after its last event, if later).</summary>
    public byte[] ToBytes(long endTick)
    {
        using var output = new MemoryStream();
        WriteChunk(output, "MThd", header =>
        {
            WriteUInt16(header, 1);
            WriteUInt16(header, _tracks.Count);
            WriteUInt16(header, Ppq);
        });
        foreach (MidiTrack track in _tracks)
        {
            WriteChunk(output, "MTrk", body => track.Write(body, endTick));
        }

        return output.ToArray();
    }

    private static void WriteChunk(MemoryStream output, string id, Action<MemoryStream> writeBody)
    {
        using var body = new MemoryStream();
        writeBody(body);
        output.Write(Encoding.ASCII.GetBytes(id));
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, checked((uint)body.Length));
        output.Write(length);
        body.Position = 0;
        body.CopyTo(output);
    }

    private static void WriteUInt16(MemoryStream stream, int value)
    {
        stream.WriteByte((byte)(value >> 8));
        stream.WriteByte((byte)value);
    }

    /// <summary>A variable-length quantity: 7 bits per byte, most significant first, high bit set on all but the last.</summary>
    internal static void WriteVarLen(Stream stream, long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 0x0FFFFFFF);
        Span<byte> bytes = stackalloc byte[4];
        int count = 0;
        do
        {
            bytes[count++] = (byte)(value & 0x7F);
            value >>= 7;
        }
        while (value > 0);

        for (int i = count - 1; i >= 0; i--)
        {
            stream.WriteByte((byte)(bytes[i] | (i > 0 ? 0x80 : 0)));
        }
    }
}

/// <summary>One <c>MTrk</c> chunk being built.</summary>
internal sealed class MidiTrack
{
    private readonly List<(long Tick, int Order, int Sequence, byte[] Data)> _events = [];

    public MidiTrack(string name) => Meta(0, 0x03, Encoding.ASCII.GetBytes(name));

    /// <summary>Set Tempo in microseconds per quarter note.</summary>
    public void Tempo(long tick, int microsecondsPerQuarter)
        => Meta(tick, 0x51, [(byte)(microsecondsPerQuarter >> 16), (byte)(microsecondsPerQuarter >> 8), (byte)microsecondsPerQuarter]);

    /// <summary>Time signature <paramref name="numerator"/>/4.</summary>
    public void TimeSignature(long tick, int numerator) => Meta(tick, 0x58, [(byte)numerator, 2, 24, 8]);

    public void Program(long tick, int channel, int program) => Add(tick, 1, [(byte)(0xC0 | channel), (byte)program]);

    public void Controller(long tick, int channel, int controller, int value)
        => Add(tick, 1, [(byte)(0xB0 | channel), (byte)controller, (byte)Math.Clamp(value, 0, 127)]);

    /// <summary>A note from <paramref name="tick"/> lasting <paramref name="duration"/> ticks (at least one).</summary>
    public void Note(long tick, long duration, int channel, int pitch, int velocity)
    {
        if (pitch is < 0 or > 127)
        {
            return;
        }

        int v = Math.Clamp(velocity, 1, 127);
        Add(tick, 2, [(byte)(0x90 | channel), (byte)pitch, (byte)v]);
        // Note-offs sort before note-ons at the same tick, so a repeated pitch is released before it is struck again.
        Add(tick + Math.Max(1, duration), 0, [(byte)(0x80 | channel), (byte)pitch, 0]);
    }

    public int NoteCount => _events.Count(e => (e.Data[0] & 0xF0) == 0x90);

    internal void Write(Stream output, long endTick)
    {
        long now = 0;
        foreach (var e in _events.OrderBy(e => e.Tick).ThenBy(e => e.Order).ThenBy(e => e.Sequence))
        {
            long tick = Math.Max(now, e.Tick);
            MidiWriter.WriteVarLen(output, tick - now);
            output.Write(e.Data);
            now = tick;
        }

        MidiWriter.WriteVarLen(output, Math.Max(0, endTick - now));
        output.Write([0xFF, 0x2F, 0x00]);
    }

    private void Meta(long tick, byte type, byte[] data)
    {
        using var bytes = new MemoryStream();
        bytes.WriteByte(0xFF);
        bytes.WriteByte(type);
        MidiWriter.WriteVarLen(bytes, data.Length);
        bytes.Write(data);
        Add(tick, 1, bytes.ToArray());
    }

    private void Add(long tick, int order, byte[] data) => _events.Add((Math.Max(0, tick), order, _events.Count, data));
}
