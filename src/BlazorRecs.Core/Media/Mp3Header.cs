namespace BlazorRecs.Core.Media;

/// <summary>
/// Whether an MP3 says how long it is. An encoder such as LAME writes a Xing or Info header (Fraunhofer's encoders a
/// VBRI header) into the first frame, with the stream's frame count: ffmpeg then reads the duration from it, and a
/// file cut off part-way still announces its whole length. Without one, ffmpeg estimates the duration from the first
/// frame's bitrate and the file's size, which for a variable-bitrate file can be off by half or more either way.
/// </summary>
public static class Mp3Header
{
    // How far past the first frame's sync word the headers lie: Xing/Info after the side information (at most 36 bytes
    // into the frame), VBRI at 36.
    private const int FrameHeadBytes = 64;

    /// <summary>True when the first MP3 frame of <paramref name="path"/> (after any ID3v2 tag) holds a Xing, Info or
    /// VBRI header; false when it does not, or the file cannot be read as MP3.</summary>
    public static bool GivesFrameCount(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> id3 = stackalloc byte[10];
            long start = 0;
            if (file.ReadAtLeast(id3, 10, throwOnEndOfStream: false) == 10 && id3[..3].SequenceEqual("ID3"u8))
            {
                // A syncsafe size (7 bits a byte) of what follows the 10-byte header, and a 10-byte footer if flagged.
                int size = (id3[6] & 0x7f) << 21 | (id3[7] & 0x7f) << 14 | (id3[8] & 0x7f) << 7 | (id3[9] & 0x7f);
                start = 10 + size + ((id3[5] & 0x10) != 0 ? 10 : 0);
            }

            file.Position = start;
            var head = new byte[4096];
            int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            for (int i = 0; i + 1 < read; i++)
            {
                // The first frame sync: eleven set bits.
                if (head[i] == 0xFF && (head[i + 1] & 0xE0) == 0xE0)
                {
                    var frame = head.AsSpan(i, Math.Min(FrameHeadBytes, read - i));
                    return frame.IndexOf("Xing"u8) >= 0 || frame.IndexOf("Info"u8) >= 0 || frame.IndexOf("VBRI"u8) >= 0;
                }
            }

            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
