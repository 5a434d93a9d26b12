using System.Diagnostics;
using LabThings.Outputs;

namespace LabThings.Benchmarks;

/// <summary>
/// Feeds a stream from a dedicated thread at a fixed rate, logging each frame's timestamp; can be paused
/// for a tight AddFrame loop (<see cref="RunTightLoop"/>), which runs on its own dedicated thread.
/// </summary>
internal sealed class FrameProducer : IDisposable
{
    private const int LogCapacity = 1 << 16;

    private readonly MjpegStream _stream;
    private readonly double _fps;
    private readonly byte[][] _frames;
    private readonly long[] _log = new long[LogCapacity];
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _running = new(true);
    private readonly Lock _logGate = new();
    private volatile bool _disposed;
    private int _logCount;
    private long _nextId;
    private long _late;

    public FrameProducer(MjpegStream stream, double fps, int frameBytes)
    {
        _stream = stream;
        _fps = fps;
        _frames = FakeFrames.Create(frameBytes, 4);
        _thread = new Thread(Run) { IsBackground = true, Name = "paced producer" };
    }

    /// <summary>Frames that were due more than one period ago when their turn came (the producer fell behind).</summary>
    public long Late => Interlocked.Read(ref _late);

    public void Start() => _thread.Start();

    /// <summary>How many paced frames were added with a timestamp in [start, end).</summary>
    public int FramesBetween(long start, long end)
    {
        lock (_logGate)
        {
            var count = 0;
            for (var i = 0; i < Math.Min(_logCount, LogCapacity); i++)
            {
                if (_log[i] >= start && _log[i] < end)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>Pauses the paced producer, adds frames back to back for <paramref name="seconds"/>, resumes it.</summary>
    public TightLoopResult RunTightLoop(double seconds)
    {
        _running.Reset();
        Thread.Sleep(100);
        try
        {
            TightLoopResult? result = null;
            var thread = new Thread(() => result = TightLoop(seconds)) { Name = "tight producer" };
            thread.Start();
            thread.Join();
            return result!;
        }
        finally
        {
            _running.Set();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _running.Set();
        _thread.Join();
        _running.Dispose();
    }

    private TightLoopResult TightLoop(double seconds)
    {
        var frames = FakeFrames.Create(_frames[0].Length, 4);
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var cpu = ThreadCpu.Current();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(seconds * Stopwatch.Frequency);
        long count = 0;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < end)
        {
            var frame = frames[count & 3];
            FakeFrames.Stamp(frame, Interlocked.Increment(ref _nextId), now);
            _stream.AddFrame(frame);
            count++;
        }

        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new TightLoopResult(
            count,
            wall,
            ThreadCpu.Current() - cpu,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(2) - gen2,
            (GC.GetTotalPauseDuration() - pause).TotalSeconds);
    }

    private void Run()
    {
        var period = (long)(Stopwatch.Frequency / _fps);
        var due = Stopwatch.GetTimestamp();
        var i = 0;
        while (!_disposed)
        {
            if (!_running.IsSet)
            {
                _running.Wait();
                due = Stopwatch.GetTimestamp();
                continue;
            }

            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            var now = Stopwatch.GetTimestamp();
            if (now - due > period)
            {
                Interlocked.Increment(ref _late);
                due = now;
            }

            var frame = _frames[i++ & 3];
            FakeFrames.Stamp(frame, Interlocked.Increment(ref _nextId), now);
            _stream.AddFrame(frame);
            lock (_logGate)
            {
                _log[_logCount++ % LogCapacity] = now;
            }

            due += period;
        }
    }
}

/// <param name="Frames">AddFrame calls completed.</param>
/// <param name="WallSeconds">How long the loop ran.</param>
/// <param name="ThreadCpuSeconds">CPU time of the producer thread (from /proc; 10 ms resolution), NaN if unknown.</param>
internal sealed record TightLoopResult(long Frames, double WallSeconds, double ThreadCpuSeconds, int Gen0Collections, int Gen2Collections, double GcPauseSeconds)
{
    public double FramesPerSecond => Frames / WallSeconds;
}

/// <summary>CPU time of the calling thread and of the machine, read from /proc (Linux only; NaN/zero elsewhere).</summary>
internal static class ThreadCpu
{
    private const double ClockTicksPerSecond = 100; // USER_HZ; 100 on every mainstream Linux.

    public static double Current()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command: field 3 (state) is fields[0]; utime is field 14, stime field 15.
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                    + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }
}
