using System.Buffers.Binary;
using System.Text;
using BlazorRecs.Core.Seeding;

namespace BlazorRecs.Core.Tests.Seeding;

public sealed class MidiFileTests
{
    private static readonly CatalogComposer Composer = new();

    [Fact]
    public void Every_genre_composes_a_valid_format_1_standard_midi_file_of_the_planned_length()
    {
        CatalogPlan plan = Composer.Plan(CatalogPlanTests.Spec(11, 120, seconds: 30));
        foreach (TrackPlan track in plan.Tracks.GroupBy(t => t.Genre).Select(g => g.First()))
        {
            Smf smf = Smf.Parse(Composer.ComposeMidi(plan, track));

            Assert.Equal(1, smf.Format);
            Assert.Equal(480, smf.Division);
            Assert.True(smf.Tracks.Count >= 4, track.Genre);
            Assert.True(smf.Notes > 30, $"{track.Genre}: {smf.Notes} notes");
            Assert.Equal((int)Math.Round(60_000_000 / track.TempoBpm), smf.MicrosecondsPerQuarter);
            double seconds = smf.Tracks.Max(t => t.EndTick) / 480.0 * smf.MicrosecondsPerQuarter / 1e6;
            Assert.InRange(seconds, 29.9, 30.1);
            Assert.Equal(track.Genre is "classical" or "ambient", !smf.Channels.Contains(9));
        }
    }

    [Fact]
    public void Variable_length_quantities_follow_the_specification_examples()
    {
        // The examples from the SMF 1.0 specification.
        (long Value, byte[] Bytes)[] cases =
        [
            (0, [0x00]), (0x40, [0x40]), (0x7F, [0x7F]), (0x80, [0x81, 0x00]), (0x2000, [0xC0, 0x00]),
            (0x3FFF, [0xFF, 0x7F]), (0x4000, [0x81, 0x80, 0x00]), (0x0FFFFFFF, [0xFF, 0xFF, 0xFF, 0x7F]),
        ];
        foreach ((long value, byte[] bytes) in cases)
        {
            using var stream = new MemoryStream();
            MidiWriter.WriteVarLen(stream, value);
            Assert.Equal(bytes, stream.ToArray());
        }
    }

    /// <summary>A small independent SMF reader: chunk structure, running status, meta and channel events.</summary>
    private sealed record Smf(int Format, int Division, List<SmfTrack> Tracks, int Notes, HashSet<int> Channels, int MicrosecondsPerQuarter)
    {
        public static Smf Parse(byte[] data)
        {
            Assert.Equal("MThd", Encoding.ASCII.GetString(data, 0, 4));
            Assert.Equal(6u, BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)));
            int format = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(8));
            int count = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(10));
            int division = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(12));
            int at = 14, notes = 0, tempo = 500_000;
            var tracks = new List<SmfTrack>();
            var channels = new HashSet<int>();
            for (int t = 0; t < count; t++)
            {
                Assert.Equal("MTrk", Encoding.ASCII.GetString(data, at, 4));
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at + 4));
                int end = at + 8 + length;
                Assert.True(end <= data.Length, "track chunk runs past the file");
                int p = at + 8;
                long tick = 0;
                int status = 0;
                bool ended = false;
                while (p < end)
                {
                    Assert.False(ended, "events after End of Track");
                    tick += ReadVarLen(data, ref p);
                    if ((data[p] & 0x80) != 0)
                    {
                        status = data[p++];
                    }

                    Assert.NotEqual(0, status);
                    if (status == 0xFF)
                    {
                        int type = data[p++];
                        int len = (int)ReadVarLen(data, ref p);
                        if (type == 0x2F)
                        {
                            Assert.Equal(0, len);
                            ended = true;
                        }
                        else if (type == 0x51)
                        {
                            tempo = data[p] << 16 | data[p + 1] << 8 | data[p + 2];
                        }

                        p += len;
                        continue;
                    }

                    int kind = status & 0xF0;
                    channels.Add(status & 0x0F);
                    if (kind == 0x90 && data[p + 1] > 0)
                    {
                        notes++;
                    }

                    Assert.True(data[p] < 0x80, "data byte with the high bit set");
                    p += kind is 0xC0 or 0xD0 ? 1 : 2;
                }

                Assert.Equal(end, p);
                Assert.True(ended, "track without End of Track");
                tracks.Add(new SmfTrack(tick));
                at = end;
            }

            Assert.Equal(data.Length, at);
            return new Smf(format, division, tracks, notes, channels, tempo);
        }

        private static long ReadVarLen(byte[] data, ref int p)
        {
            long value = 0;
            for (int i = 0; i < 4; i++)
            {
                byte b = data[p++];
                value = value << 7 | (uint)(b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException("variable-length quantity longer than four bytes");
        }
    }

    private sealed record SmfTrack(long EndTick);
}
