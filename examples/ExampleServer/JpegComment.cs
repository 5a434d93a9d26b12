namespace LabThings.Examples;

/// <summary>Puts a comment (a COM segment, marker FF FE) into a JPEG file, right after its start-of-image marker.</summary>
public static class JpegComment
{
    /// <summary>The JPEG <paramref name="jpeg"/> with <paramref name="comment"/> as its first segment.</summary>
    /// <param name="jpeg">A JPEG file, starting with FF D8.</param>
    /// <param name="comment">The comment's bytes, at most 65,533.</param>
    /// <returns>A new array.</returns>
    /// <exception cref="ArgumentException"><paramref name="jpeg"/> is not a JPEG, or the comment is too long for one segment.</exception>
    public static byte[] Insert(ReadOnlySpan<byte> jpeg, ReadOnlySpan<byte> comment)
    {
        if (jpeg.Length < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new ArgumentException("Not a JPEG file (no FF D8 at the start).", nameof(jpeg));
        }

        var length = comment.Length + 2;
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"A JPEG comment holds at most {ushort.MaxValue - 2} bytes, not {comment.Length}.", nameof(comment));
        }

        var result = new byte[jpeg.Length + 2 + length];
        jpeg[..2].CopyTo(result);
        result[2] = 0xFF;
        result[3] = 0xFE;
        result[4] = (byte)(length >> 8);
        result[5] = (byte)length;
        comment.CopyTo(result.AsSpan(6));
        jpeg[2..].CopyTo(result.AsSpan(6 + comment.Length));
        return result;
    }

    /// <summary>The first comment of <paramref name="jpeg"/>, or null when it has none before its image data.</summary>
    public static byte[]? Read(ReadOnlySpan<byte> jpeg)
    {
        var i = 2;
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF)
        {
            var marker = jpeg[i + 1];
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker == 0xFE)
            {
                return i + 2 + length <= jpeg.Length ? jpeg.Slice(i + 4, length - 2).ToArray() : null;
            }

            if (marker == 0xDA)
            {
                return null;
            }

            i += 2 + length;
        }

        return null;
    }
}
