using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace LabThings.Benchmarks;

/// <summary>
/// What a process allocates, by type, from the runtime's allocation samples (one event about every 100 KB allocated,
/// naming the type of the object that crossed the mark): a rough profile without an external tool. The memory
/// command's server uses it when <c>LABTHINGS_BENCH_TRACE_ALLOCATIONS</c> names a file.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, (long Samples, long Bytes)> _byType = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is >= 0 and var t ? eventData.Payload![t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is >= 0 and var a ? Convert.ToInt64(eventData.Payload![a], CultureInfo.InvariantCulture) : 0;
        _byType.AddOrUpdate(type, (1, amount), (_, old) => (old.Samples + 1, old.Bytes + amount));
    }

    /// <summary>The types by sampled bytes, largest first.</summary>
    public string Report(int top)
    {
        var total = _byType.Values.Sum(v => v.Bytes);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"sampled bytes in all: {total:N0}\n");
        foreach (var (type, (samples, bytes)) in _byType.OrderByDescending(p => p.Value.Bytes).Take(top))
        {
            text.Append(CultureInfo.InvariantCulture, $"{bytes,14:N0} {100.0 * bytes / Math.Max(1, total),5:F1} % {samples,7} {type}\n");
        }

        return text.ToString();
    }
}
