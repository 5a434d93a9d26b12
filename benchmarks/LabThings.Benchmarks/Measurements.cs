using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>A point-in-time reading of this process and of the whole machine.</summary>
internal readonly record struct Sample(long Timestamp, double ProcessCpuSeconds, long WorkingSet, long GcHeap, int Gen2Collections, MachineCpu Machine)
{
    public static Sample Take()
    {
        using var process = Process.GetCurrentProcess();
        var (cpu, workingSet) = (process.TotalProcessorTime.TotalSeconds, process.WorkingSet64);
        return new Sample(Stopwatch.GetTimestamp(), cpu, workingSet, GC.GetTotalMemory(forceFullCollection: false), GC.CollectionCount(2), MachineCpu.Read());
    }
}

/// <summary>
/// The "cpu" line of /proc/stat, in clock ticks (summed over all CPUs); all zero if it cannot be read.
/// SoftIrq includes the ksoftirqd threads' time: it is network processing on these loopback benchmarks.
/// </summary>
internal readonly record struct MachineCpu(long Busy, long SoftIrq, long Steal)
{
    /// <summary>USER_HZ: 100 on every mainstream Linux.</summary>
    public const double TicksPerSecond = 100;

    public static MachineCpu Read() => Proc.Read(
        () =>
        {
            // user nice system idle iowait irq softirq steal ...
            var v = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, Report.Inv)).ToArray();
            return new MachineCpu(v[0] + v[1] + v[2] + v[5] + v[6], v[5] + v[6], v.Length > 7 ? v[7] : 0);
        },
        default(MachineCpu));
}

/// <summary>CPU use over an interval, each in cores (1.0 = one core fully busy).</summary>
internal readonly record struct CpuShares(double Machine, double SoftIrq, double Steal)
{
    public static CpuShares Between(MachineCpu a, MachineCpu b, double seconds)
        => new(
            (b.Busy - a.Busy) / MachineCpu.TicksPerSecond / seconds,
            (b.SoftIrq - a.SoftIrq) / MachineCpu.TicksPerSecond / seconds,
            (b.Steal - a.Steal) / MachineCpu.TicksPerSecond / seconds);
}

/// <summary>The CPU seconds used so far by the server's process and by the load generator's, and the machine's counters.</summary>
internal readonly record struct CpuSnapshot(long Timestamp, double Server, double Generator, MachineCpu Machine)
{
    public static CpuSnapshot Take(Func<double> server, Func<double> generator) => new(Stopwatch.GetTimestamp(), server(), generator(), MachineCpu.Read());

    public CpuWindow To(CpuSnapshot end)
    {
        var seconds = Clock.Seconds(end.Timestamp - Timestamp);
        return new CpuWindow(seconds, (end.Server - Server) / seconds, (end.Generator - Generator) / seconds, CpuShares.Between(Machine, end.Machine, seconds));
    }
}

/// <summary>CPU use between two <see cref="CpuSnapshot"/>s, each in cores (1.0 = one core busy).</summary>
internal sealed record CpuWindow(double Seconds, double Server, double Generator, CpuShares Machine)
{
    /// <summary>
    /// Busy time of the machine that is neither the server's nor the generator's: other jobs, and kernel network
    /// work done outside both processes. Softirq is not subtracted: this kernel has no IRQ time accounting, so a
    /// softirq that interrupts a process is charged to that process as well as to the softirq total.
    /// </summary>
    public double Other => Machine.Machine - Server - Generator;
}

/// <summary>CPU seconds (10 ms resolution) and involuntary context switches (preemptions) of one thread.</summary>
internal readonly record struct ThreadSample(double CpuSeconds, long Involuntary)
{
    public ThreadSample Minus(ThreadSample other) => new(CpuSeconds - other.CpuSeconds, Involuntary - other.Involuntary);
}

/// <summary>Readings from Linux's /proc; the fallback where they cannot be read.</summary>
internal static class Proc
{
    /// <summary>The calling thread's id (the kernel's), or 0.</summary>
    public static int CurrentThreadId() => Read(() => int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0], Report.Inv), 0);

    /// <summary>CPU time and involuntary context switches of thread <paramref name="id"/> of this process so far.</summary>
    public static ThreadSample Thread(int id) => Read(
        () =>
        {
            var stat = File.ReadAllText($"/proc/self/task/{id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields[0] is field 3 (state); utime is field 14, stime 15
            var involuntary = File.ReadLines($"/proc/self/task/{id}/status").First(l => l.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal));
            return new ThreadSample(
                (long.Parse(fields[11], Report.Inv) + long.Parse(fields[12], Report.Inv)) / MachineCpu.TicksPerSecond,
                long.Parse(involuntary.Split(':')[1].Trim(), Report.Inv));
        },
        default(ThreadSample));

    /// <summary>This process's open-file limit.</summary>
    public static int? OpenFileLimit() => Read<int?>(
        () => int.Parse(File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], Report.Inv),
        null);

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage() => Read(() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], Report.Inv), double.NaN);

    /// <summary>The size of every generation (LOH and POH included) right after the last GC: live data plus fragmentation.</summary>
    public static long HeapAfterLastGc() => GC.GetGCMemoryInfo().GenerationInfo.ToArray().Sum(g => g.SizeAfterBytes);

    public static T Read<T>(Func<T> read, T fallback)
    {
        try
        {
            return read();
        }
        catch (IOException)
        {
            return fallback;
        }
    }
}

internal static class Clock
{
    public static long After(double seconds) => Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static async Task UntilAsync(long timestamp, CancellationToken cancellationToken = default)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(Seconds(remaining)), cancellationToken);
        }
    }
}

internal static class Stats
{
    /// <summary>The q-quantile (0..1) by nearest rank; NaN for an empty list. Sorts <paramref name="values"/>.</summary>
    public static double Quantile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(q * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }

    public static double Median(IEnumerable<double> values) => Quantile([.. values], 0.5);

    public static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    public static double Min(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Min();

    public static double Max(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Max();
}
