using System.Buffers;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using LabThings.Outputs;

namespace LabThings.Benchmarks;

/// <summary>The MJPEG benchmark's Thing: one stream, fed by <see cref="FrameProducer"/>.</summary>
[Description("A camera fed by the benchmark's producer thread")]
public sealed class BenchCamera : Thing
{
    [MjpegStream(Description = "Synthetic frames carrying their id and the producer's Stopwatch timestamp")]
    public MjpegStream Stream => GetStream();

    /// <summary>A property with bounds, so a write is checked against its schema (the memory command's first use).</summary>
    [ThingProperty(Minimum = 0, Maximum = 1000, Description = "Exposure in milliseconds (not used by the producer)")]
    public double Exposure { get; set => SetProperty(ref field, value); } = 10;

    /// <summary>An action with an input (the memory command's first use).</summary>
    /// <param name="count">How many frames.</param>
    /// <returns>The newest frame's index, or -1 before the first frame.</returns>
    [ThingAction(Description = "Returns the newest frame's index")]
    public long Capture(int count = 1) => count > 0 && Stream.NewestFrame is { } frame ? frame.Index : -1;
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
            frames[i] = new byte[size];
            random.NextBytes(frames[i]);
            (frames[i][0], frames[i][1], frames[i][^2], frames[i][^1]) = (0xFF, 0xD8, 0xFF, 0xD9);
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

/// <summary>Feeds a stream from a dedicated thread at a fixed rate, logging each frame's timestamp.</summary>
internal sealed class FrameProducer : IDisposable
{
    private readonly MjpegStream _stream;
    private readonly double _fps;
    private readonly byte[][] _frames;
    private readonly ConcurrentQueue<long> _log = new(); // each frame's timestamp: 30 fps × a few minutes
    private readonly Thread _thread;
    private readonly bool _pooled;
    private volatile bool _disposed;

    /// <param name="pooled">Hand the stream a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the owning AddFrame) instead of having it copy each frame.</param>
    public FrameProducer(MjpegStream stream, double fps, int frameBytes, bool pooled = false)
    {
        _pooled = pooled;
        _stream = stream;
        _fps = fps;
        _frames = FakeFrames.Create(frameBytes, 4);
        _thread = new Thread(Run) { IsBackground = true, Name = "paced producer" };
    }

    public void Start() => _thread.Start();

    /// <summary>How many frames were added with a timestamp in [start, end).</summary>
    public int FramesBetween(long start, long end) => _log.Count(t => t >= start && t < end);

    public void Dispose()
    {
        _disposed = true;
        _thread.Join();
    }

    private void Run()
    {
        var period = (long)(Stopwatch.Frequency / _fps);
        var due = Stopwatch.GetTimestamp();
        for (var id = 1L; !_disposed; id++)
        {
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            var now = Stopwatch.GetTimestamp();
            due = now - due > period ? now : due; // fell behind: carry on from now

            var frame = _frames[id & 3];
            FakeFrames.Stamp(frame, id, now);
            if (_pooled)
            {
                var rented = ArrayPool<byte>.Shared.Rent(frame.Length);
                frame.CopyTo(rented, 0);
                _stream.AddFrame(rented, frame.Length, ArrayPool<byte>.Shared, null);
            }
            else
            {
                _stream.AddFrame(frame);
            }

            _log.Enqueue(now);

            due += period;
        }
    }
}
