using System.ComponentModel;
using System.Diagnostics;
using LabThings.Outputs;

namespace LabThings.Benchmarks;

/// <summary>The benchmark's Thing: one MJPEG stream, fed by <see cref="FrameProducer"/>.</summary>
[Description("A camera fed by the benchmark's producer thread")]
public sealed class BenchCamera : Thing
{
    [MjpegStream(Description = "Synthetic frames carrying their id and the producer's Stopwatch timestamp")]
    public MjpegStream Stream => GetStream();
}

/// <summary>
/// Pre-generated fake JPEGs (FF D8 … FF D9, random bytes in between). Bytes 2..9 carry the frame id and
/// bytes 10..17 the producer's <see cref="Stopwatch.GetTimestamp"/> just before <see cref="MjpegStream.AddFrame"/>;
/// on Linux that clock is CLOCK_MONOTONIC, shared by every process on the machine.
/// </summary>
internal static class FakeFrames
{
    public const int StampBytes = 18;

    public static byte[][] Create(int size, int count)
    {
        var random = new Random(42);
        var frames = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var frame = new byte[size];
            random.NextBytes(frame);
            frame[0] = 0xFF;
            frame[1] = 0xD8;
            frame[^2] = 0xFF;
            frame[^1] = 0xD9;
            frames[i] = frame;
        }

        return frames;
    }

    public static void Stamp(byte[] frame, long id, long timestamp)
    {
        BitConverter.TryWriteBytes(frame.AsSpan(2, 8), id);
        BitConverter.TryWriteBytes(frame.AsSpan(10, 8), timestamp);
    }

    public static (long Id, long Timestamp) Read(ReadOnlySpan<byte> stamp)
        => (BitConverter.ToInt64(stamp[2..10]), BitConverter.ToInt64(stamp[10..18]));
}
