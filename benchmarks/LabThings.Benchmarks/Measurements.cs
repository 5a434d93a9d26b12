using System.Diagnostics;
using System.Globalization;

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
/// SoftIrq includes the ksoftirqd threads' time: it is network processing on this loopback benchmark.
/// </summary>
internal readonly record struct MachineCpu(long Busy, long SoftIrq, long Idle, long Steal)
{
    /// <summary>USER_HZ: 100 on every mainstream Linux.</summary>
    public const double TicksPerSecond = 100;

    public static MachineCpu Read()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal ...
            var steal = v.Length > 7 ? v[7] : 0;
            return new MachineCpu(v[0] + v[1] + v[2] + v[5] + v[6], v[5] + v[6], v[3] + v[4], steal);
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
}
