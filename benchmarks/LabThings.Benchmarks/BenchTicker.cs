using System.ComponentModel;
using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>The observation benchmark's Thing: one observable data property, changed by <see cref="TickSetter"/>.</summary>
[Description("A counter the benchmark's setter thread changes at a fixed rate")]
public sealed class BenchTicker : Thing
{
    /// <summary>The setter's <see cref="Stopwatch.GetTimestamp"/> just before the set (unique and increasing).</summary>
    [ThingProperty(ReadOnly = true, Description = "Stopwatch timestamp of the latest set")]
    public long Tick { get; set => SetProperty(ref field, value); }
}

/// <summary>
/// Sets <see cref="BenchTicker.Tick"/> at a fixed rate from a dedicated thread, to the Stopwatch timestamp taken
/// just before the set (CLOCK_MONOTONIC on Linux, comparable across processes), and logs every set: when it
/// started, how long the setter call took (notification included), how far behind schedule it was.
/// Paced with 1 ms sleeps (Thread.Sleep's granularity): the average rate is exact, each set is up to about 1 ms late.
/// </summary>
internal sealed class TickSetter : IDisposable
{
    private const int LogCapacity = 1 << 18;
    private const int MaxLagPeriods = 50;

    private readonly BenchTicker _ticker;
    private readonly long _period;
    private readonly long[] _started = new long[LogCapacity];
    private readonly long[] _duration = new long[LogCapacity];
    private readonly long[] _lag = new long[LogCapacity];
    private readonly long[] _skippedBefore = new long[LogCapacity];
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private volatile bool _stopped;
    private long _count;
    private long _skipped;
    private volatile int _threadId;

    public TickSetter(BenchTicker ticker, double rate)
    {
        _ticker = ticker;
        _period = (long)(Stopwatch.Frequency / rate);
        _thread = new Thread(Run) { IsBackground = true, Name = "tick setter" };
    }

    public void Start() => _thread.Start();

    /// <summary>The setter thread's CPU time and context switches so far (from /proc; zero if unavailable).</summary>
    public SetterThreadSample ThreadSample()
    {
        var id = _threadId;
        if (id == 0)
        {
            return default;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command: field 3 (state) is fields[0]; utime is field 14, stime field 15 (clock ticks, USER_HZ = 100).
            var cpu = (long.Parse(fields[11], Report.Inv) + long.Parse(fields[12], Report.Inv)) / 100.0;
            long voluntary = 0, involuntary = 0;
            foreach (var line in File.ReadLines($"/proc/self/task/{id}/status"))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    voluntary = long.Parse(line.Split(':')[1].Trim(), Report.Inv);
                }
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    involuntary = long.Parse(line.Split(':')[1].Trim(), Report.Inv);
                }
            }

            return new SetterThreadSample(cpu, voluntary, involuntary);
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// <summary>The sets that started in [start, end); <paramref name="atStart"/> and <paramref name="atEnd"/> are <see cref="ThreadSample"/>s taken at its ends.</summary>
    public SetterWindow Between(long start, long end, SetterThreadSample atStart, SetterThreadSample atEnd)
    {
        var durations = new List<double>();
        var lags = new List<double>();
        long skippedFirst = -1, skippedLast = 0;
        lock (_gate)
        {
            var first = Math.Max(0, _count - LogCapacity);
            for (var i = first; i < _count; i++)
            {
                var slot = i % LogCapacity;
                var at = _started[slot];
                if (at >= start && at < end)
                {
                    durations.Add(Clock.Milliseconds(_duration[slot]) * 1000);
                    lags.Add(Clock.Milliseconds(_lag[slot]));
                    skippedFirst = skippedFirst < 0 ? _skippedBefore[slot] : skippedFirst;
                    skippedLast = _skippedBefore[slot];
                }
            }
        }

        return new SetterWindow(durations.Count, Clock.Seconds(end - start), durations, lags, Math.Max(0, skippedLast - skippedFirst), atEnd.Minus(atStart));
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    private void Run()
    {
        try
        {
            _threadId = int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0], Report.Inv);
        }
        catch (IOException)
        {
            // Not Linux: no per-thread CPU figures.
        }

        var due = Stopwatch.GetTimestamp();
        while (!_stopped)
        {
            var now = Stopwatch.GetTimestamp();
            var ahead = due - now;
            if (ahead > 0)
            {
                Thread.Sleep(Math.Max(1, (int)(ahead * 1000 / Stopwatch.Frequency)));
                continue;
            }

            var lag = now - due;
            if (lag > MaxLagPeriods * _period)
            {
                // Far behind (the thread was starved): give up on the missed sets instead of bursting them.
                Interlocked.Add(ref _skipped, lag / _period);
                due = now;
            }

            var start = Stopwatch.GetTimestamp();
            _ticker.Tick = start;
            var duration = Stopwatch.GetTimestamp() - start;
            lock (_gate)
            {
                var slot = _count % LogCapacity;
                _started[slot] = start;
                _duration[slot] = duration;
                _lag[slot] = lag;
                _skippedBefore[slot] = _skipped;
                _count++;
            }

            due += _period;
        }
    }
}

/// <param name="Sets">Sets that started in the window.</param>
/// <param name="Seconds">The window's length.</param>
/// <param name="DurationMicros">Each set's setter-call duration, µs.</param>
/// <param name="LagMillis">How far behind its schedule each set started, ms.</param>
/// <param name="Skipped">Sets given up in the window because the setter fell more than 50 periods behind.</param>
/// <param name="Thread">The setter thread's CPU time and context switches over the window.</param>
internal sealed record SetterWindow(int Sets, double Seconds, List<double> DurationMicros, List<double> LagMillis, long Skipped, SetterThreadSample Thread)
{
    public double Rate => Sets / Seconds;
}

/// <summary>CPU seconds (10 ms resolution) and voluntary / involuntary context switches of the setter thread.</summary>
internal readonly record struct SetterThreadSample(double CpuSeconds, long Voluntary, long Involuntary)
{
    public SetterThreadSample Minus(SetterThreadSample other) => new(CpuSeconds - other.CpuSeconds, Voluntary - other.Voluntary, Involuntary - other.Involuntary);
}
