using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>A point-in-time reading of this process and of the whole machine.</summary>
internal readonly record struct Sample(long Timestamp, double ProcessCpuSeconds, long WorkingSet, long GcHeap, int Gen2Collections, MachineCpu Machine)
{
    public static Sample Take()
    {
        using var process = Process.GetCurrentProcess();
        return new Sample(
            Stopwatch.GetTimestamp(),
            process.TotalProcessorTime.TotalSeconds,
            process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false),
            GC.CollectionCount(2),
            MachineCpu.Read());
    }
}

/// <summary>
/// The "cpu" line of /proc/stat, in clock ticks (summed over all CPUs); all zero if it cannot be read.
/// SoftIrq includes the ksoftirqd threads' time: it is network processing on these loopback benchmarks.
/// </summary>
internal readonly record struct MachineCpu(long Busy, long SoftIrq, long Idle, long Steal)
{
    /// <summary>USER_HZ: 100 on every mainstream Linux.</summary>
    public const double TicksPerSecond = 100;

    public static MachineCpu Read()
    {
        try
        {
            // user nice system idle iowait irq softirq steal ...
            var v = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(s => long.Parse(s, Report.Inv)).ToArray();
            return new MachineCpu(v[0] + v[1] + v[2] + v[5] + v[6], v[5] + v[6], v[3] + v[4], v.Length > 7 ? v[7] : 0);
        }
        catch (IOException)
        {
            return default;
        }
    }
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

/// <summary>CPU seconds (10 ms resolution) and voluntary / involuntary context switches of one thread.</summary>
internal readonly record struct ThreadSample(double CpuSeconds, long Voluntary, long Involuntary)
{
    public ThreadSample Minus(ThreadSample other) => new(CpuSeconds - other.CpuSeconds, Voluntary - other.Voluntary, Involuntary - other.Involuntary);
}

/// <summary>Readings from Linux's /proc; NaN, null or zero where they cannot be read.</summary>
internal static class Proc
{
    /// <summary>The calling thread's id (the kernel's), or 0.</summary>
    public static int CurrentThreadId()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0], Report.Inv);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>CPU time and context switches of thread <paramref name="id"/> of this process so far.</summary>
    public static ThreadSample Thread(int id)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command: field 3 (state) is fields[0]; utime is field 14, stime field 15 (clock ticks).
            var cpu = (long.Parse(fields[11], Report.Inv) + long.Parse(fields[12], Report.Inv)) / MachineCpu.TicksPerSecond;
            var status = File.ReadLines($"/proc/self/task/{id}/status").Select(l => l.Split(':')).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);
            return new ThreadSample(cpu, long.Parse(status["voluntary_ctxt_switches"], Report.Inv), long.Parse(status["nonvoluntary_ctxt_switches"], Report.Inv));
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// <summary>This process's open-file limit.</summary>
    public static int? OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line is null ? null : int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], Report.Inv);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], Report.Inv);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>The size of every generation (LOH and POH included) right after the last GC: live data plus fragmentation.</summary>
    public static long HeapAfterLastGc() => GC.GetGCMemoryInfo().GenerationInfo.ToArray().Sum(g => g.SizeAfterBytes);
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

    public static double Min(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Min();

    public static double Max(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Max();
}
