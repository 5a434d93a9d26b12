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
    private readonly SetLog[] _log = new SetLog[LogCapacity];
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private volatile bool _stopped;
    private volatile int _threadId;
    private long _count;
    private long _skipped;

    public TickSetter(BenchTicker ticker, double rate)
    {
        _ticker = ticker;
        _period = (long)(Stopwatch.Frequency / rate);
        _thread = new Thread(Run) { IsBackground = true, Name = "tick setter" };
    }

    public void Start() => _thread.Start();

    /// <summary>The setter thread's CPU time and context switches so far (zero if unavailable).</summary>
    public ThreadSample ThreadSample() => _threadId == 0 ? default : Proc.Thread(_threadId);

    /// <summary>The sets that started in [start, end); <paramref name="atStart"/> and <paramref name="atEnd"/> are <see cref="ThreadSample"/>s taken at its ends.</summary>
    public SetterWindow Between(long start, long end, ThreadSample atStart, ThreadSample atEnd)
    {
        List<SetLog> sets;
        lock (_gate)
        {
            sets = [.. Enumerable.Range(0, (int)Math.Min(_count, LogCapacity)).Select(i => _log[i]).Where(s => s.Started >= start && s.Started < end).OrderBy(s => s.Started)];
        }

        var skipped = sets.Count == 0 ? 0 : sets[^1].SkippedBefore - sets[0].SkippedBefore;
        return new SetterWindow(
            sets.Count,
            Clock.Seconds(end - start),
            [.. sets.Select(s => Clock.Milliseconds(s.Duration) * 1000)],
            [.. sets.Select(s => Clock.Milliseconds(s.Lag))],
            skipped,
            atEnd.Minus(atStart));
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    private void Run()
    {
        _threadId = Proc.CurrentThreadId();
        var due = Stopwatch.GetTimestamp();
        while (!_stopped)
        {
            var now = Stopwatch.GetTimestamp();
            if (due > now)
            {
                Thread.Sleep(Math.Max(1, (int)((due - now) * 1000 / Stopwatch.Frequency)));
                continue;
            }

            var lag = now - due;
            if (lag > MaxLagPeriods * _period)
            {
                // Far behind (the thread was starved): give up on the missed sets instead of bursting them.
                _skipped += lag / _period;
                due = now;
            }

            var start = Stopwatch.GetTimestamp();
            _ticker.Tick = start;
            var duration = Stopwatch.GetTimestamp() - start;
            lock (_gate)
            {
                _log[_count++ % LogCapacity] = new SetLog(start, duration, lag, _skipped);
            }

            due += _period;
        }
    }

    private readonly record struct SetLog(long Started, long Duration, long Lag, long SkippedBefore);
}

/// <param name="Sets">Sets that started in the window.</param>
/// <param name="Seconds">The window's length.</param>
/// <param name="DurationMicros">Each set's setter-call duration, µs.</param>
/// <param name="LagMillis">How far behind its schedule each set started, ms.</param>
/// <param name="Skipped">Sets given up in the window because the setter fell more than 50 periods behind.</param>
/// <param name="Thread">The setter thread's CPU time and context switches over the window.</param>
internal sealed record SetterWindow(int Sets, double Seconds, List<double> DurationMicros, List<double> LagMillis, long Skipped, ThreadSample Thread)
{
    public double Rate => Sets / Seconds;
}
