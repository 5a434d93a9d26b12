using System.Buffers;
using LabThings.Cameras.Ffmpeg;
using LabThings.Tests.Support;

namespace LabThings.Tests.Cameras;

/// <summary>The splitter finds every JPEG in a byte stream however the stream is cut into reads.</summary>
public sealed class JpegFrameSplitterTests
{
    private static readonly byte[][] Frames =
    [
        Support.Jpeg.Make(32, 24, 10),
        Support.Jpeg.Make(17, 9, 200),
        Noisy(48, 40),
    ];

    [Fact]
    public void Push_WholeStreamAtOnce_GivesEveryFrameByteForByte()
    {
        var found = Split([Concat(Frames)]);

        found.Should().HaveCount(3);
        found.Should().BeEquivalentTo(Frames, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Push_StreamSplitAtEveryByte_GivesTheSameFrames()
    {
        var stream = Concat(Frames[0], Frames[1]);
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var found = Split([stream[..cut], stream[cut..]]);
            found.Should().BeEquivalentTo(new[] { Frames[0], Frames[1] }, o => o.WithStrictOrdering(), $"cut at byte {cut}");
        }
    }

    [Fact]
    public void Push_OneByteAtATime_GivesTheSameFrames()
    {
        var stream = Concat(Frames);

        var found = Split(stream.Select(b => new[] { b }));

        found.Should().BeEquivalentTo(Frames, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Push_RandomFragments_GivesEveryFrameOfALongStream()
    {
        var random = new Random(14);
        var frames = Enumerable.Range(0, 60).Select(i => Frames[i % Frames.Length]).ToArray();
        var stream = Concat(frames);
        var chunks = new List<byte[]>();
        for (var at = 0; at < stream.Length;)
        {
            var size = Math.Min(random.Next(1, 5000), stream.Length - at);
            chunks.Add(stream[at..(at + size)]);
            at += size;
        }

        var found = Split(chunks);

        found.Should().BeEquivalentTo(frames, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Push_GarbageBeforeBetweenAndAfterFrames_IsSkipped()
    {
        // FF, D9, a lone FF before the image's FF D8, text: nothing that starts an image.
        byte[] garbage = [0x00, 0xFF, 0xD9, 0x12, 0xFF, 0xFF, .. "--frame\r\nContent-Type: image/jpeg\r\n\r\n"u8, 0xFF];
        var stream = Concat(garbage, Frames[0], garbage, garbage, Frames[1], garbage, Frames[2], garbage);

        using var splitter = NewSplitter(out var found);
        splitter.Push(stream);

        found.Should().BeEquivalentTo(Frames, o => o.WithStrictOrdering());
        splitter.BytesSkipped.Should().Be((5 * garbage.Length) - 1, "the last FF is held: the next read may bring the D8 after it");
    }

    [Fact]
    public void Push_TruncatedFrameThenAWholeOne_DropsTheTruncatedFrameAndKeepsTheNext()
    {
        var truncated = Frames[2][..(Frames[2].Length / 2)];
        var stream = Concat(Frames[0], truncated, Frames[1]);

        using var splitter = NewSplitter(out var found);
        splitter.Push(stream);

        found.Should().BeEquivalentTo(new[] { Frames[0], Frames[1] }, o => o.WithStrictOrdering());
        splitter.FramesDropped.Should().Be(1);
    }

    [Fact]
    public void Push_EndOfImageMarkerInsideSegments_DoesNotEndTheFrame()
    {
        // An APP1 segment holding a whole thumbnail JPEG (its own FF D8 … FF D9) and a comment holding FF D9:
        // only the segment lengths tell that these are not this image's markers.
        var withThumbnail = InsertSegmentAfterSoi(Frames[0], 0xE1, [.. "Exif\0\0"u8, .. Frames[1]]);
        var withComment = InsertSegmentAfterSoi(Frames[2], 0xFE, [0xFF, 0xD9, 0xFF, 0xD8, 0xFF, 0xD9]);
        var stream = Concat(withThumbnail, withComment, Frames[1]);

        var found = Split([stream]);

        found.Should().BeEquivalentTo(new[] { withThumbnail, withComment, Frames[1] }, o => o.WithStrictOrdering());
        Support.Jpeg.Decode(found[0]).Should().Be((32, 24), "the frame with a thumbnail is still the whole image");
    }

    [Fact]
    public void Push_StuffedBytesAndRestartMarkersInScanData_AreData()
    {
        // SOI, a start-of-scan header, scan data with FF 00 (a stuffed FF) and FF D0..D7 (restart markers), EOI.
        byte[] frame = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD0, 0x33, 0xFF, 0xFF, 0xD7, 0x44, 0xFF, 0xD9];
        var stream = Concat(frame, frame);
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            Split([stream[..cut], stream[cut..]]).Should().BeEquivalentTo(new[] { frame, frame }, o => o.WithStrictOrdering(), $"cut at byte {cut}");
        }
    }

    [Fact]
    public void Push_FrameLargerThanTheLimit_IsDroppedAndTheNextOneFound()
    {
        var big = Noisy(400, 300);
        big.Length.Should().BeGreaterThan(20_000);
        using var splitter = NewSplitter(out var found, maxFrameBytes: 20_000);

        for (var at = 0; at < big.Length; at += 4096)
        {
            splitter.Push(big.AsSpan(at, Math.Min(4096, big.Length - at)));
        }

        splitter.Push(Frames[0]);

        found.Should().BeEquivalentTo(new[] { Frames[0] });
        splitter.FramesDropped.Should().Be(1);
    }

    [Fact]
    public void Push_EveryFrameArray_IsRentedFromTheGivenPoolAndTheSplittersOwnIsReturnedOnDispose()
    {
        var pool = new CountingPool();
        var received = new List<byte[]>();
        using (var splitter = new JpegFrameSplitter((array, _) => received.Add(array), pool))
        {
            splitter.Push(Concat(Frames));
        }

        received.Should().HaveCount(3);
        received.Should().OnlyContain(a => pool.Rented.Contains(a), "frames are handed out in pooled arrays");
        pool.Outstanding.Should().BeEquivalentTo(received, "everything but the frames handed out went back to the pool");
    }

    private static List<byte[]> Split(IEnumerable<byte[]> chunks)
    {
        using var splitter = NewSplitter(out var found);
        foreach (var chunk in chunks)
        {
            splitter.Push(chunk);
        }

        return found;
    }

    private static JpegFrameSplitter NewSplitter(out List<byte[]> found, int maxFrameBytes = JpegFrameSplitter.DefaultMaxFrameBytes)
    {
        var frames = new List<byte[]>();
        found = frames;
        return new JpegFrameSplitter(
            (array, length) =>
            {
                frames.Add(array.AsSpan(0, length).ToArray());
                ArrayPool<byte>.Shared.Return(array);
            },
            maxFrameBytes: maxFrameBytes);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] InsertSegmentAfterSoi(byte[] jpeg, byte marker, byte[] content)
    {
        var length = content.Length + 2;
        return [0xFF, 0xD8, 0xFF, marker, (byte)(length >> 8), (byte)length, .. content, .. jpeg[2..]];
    }

    /// <summary>A JPEG of random pixels: its scan data is long and full of stuffed FF 00 bytes.</summary>
    private static byte[] Noisy(int width, int height)
    {
        var random = new Random(width * height);
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }

        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    private sealed class CountingPool : ArrayPool<byte>
    {
        public List<byte[]> Rented { get; } = [];

        public List<byte[]> Outstanding { get; } = [];

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength];
            Rented.Add(array);
            Outstanding.Add(array);
            return array;
        }

        public override void Return(byte[] array, bool clearArray = false) => Outstanding.Remove(array).Should().BeTrue("only rented arrays come back, once");
    }
}
