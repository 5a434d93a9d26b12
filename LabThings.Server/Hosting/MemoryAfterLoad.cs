using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Hosting;

/// <summary>
/// Counts the requests in progress (a stream, WebSocket or SSE client is one for as long as it stays) and decides when
/// a burst of them has ended: the peak since the last decision was at least <see cref="MinimumPeak"/>, and on
/// <see cref="QuietTicks"/> ticks in a row the count has been at most a quarter of it.
/// </summary>
internal sealed class RequestLoad
{
    /// <summary>The fewest requests in progress at once that count as a burst.</summary>
    public const int MinimumPeak = 32;

    /// <summary>How many ticks in a row the count must stay low.</summary>
    public const int QuietTicks = 2;

    private int _current;
    private int _peak;
    private int _quiet;

    public int Current => Volatile.Read(ref _current);

    public int Peak => Volatile.Read(ref _peak);

    public void Enter()
    {
        var current = Interlocked.Increment(ref _current);
        var peak = Volatile.Read(ref _peak);
        while (current > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, current, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    public void Exit() => Interlocked.Decrement(ref _current);

    /// <summary>
    /// Called once a tick, from one thread: true when a burst has just ended, and then the peak starts again from the
    /// requests in progress now, so one burst is reported once.
    /// </summary>
    public bool BurstEnded()
    {
        var current = Current;
        var peak = Peak;
        if (peak < MinimumPeak || current > peak / 4)
        {
            _quiet = 0;
            return false;
        }

        if (++_quiet < QuietTicks)
        {
            return false;
        }

        _quiet = 0;

        // A request that arrives between the two reads raises the peak above the count, and is counted again.
        Interlocked.Exchange(ref _peak, Current);
        return true;
    }
}

/// <summary>
/// After a burst of clients has left (<see cref="RequestLoad"/>), runs one full, compacting garbage collection in the
/// runtime's aggressive mode, which gives back to the operating system the memory those clients' connections used.
/// Without it that memory stays with the process until the runtime next collects everything, which a server that
/// allocates little may not do for a long time (docs/performance.md, session 9). Off with
/// <see cref="LabThingsOptions.ReturnMemoryAfterLoad"/> false.
/// </summary>
internal sealed partial class MemoryAfterLoad(RequestLoad load, IOptions<LabThingsOptions> options, TimeProvider time, ILogger<MemoryAfterLoad> logger) : BackgroundService
{
    /// <summary>How often the requests in progress are looked at.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ReturnMemoryAfterLoad)
        {
            return;
        }

        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var peak = load.Peak;
                if (load.BurstEnded())
                {
                    const double MiB = 1024 * 1024;
                    var before = GC.GetGCMemoryInfo().TotalCommittedBytes / MiB;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    var after = GC.GetGCMemoryInfo().TotalCommittedBytes / MiB;
                    var current = load.Current;
                    Log.Returned(logger, peak, current, before, after);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Returned memory after a burst of {Peak} requests at once ({Current} in progress now): GC committed {Before:F1} MiB -> {After:F1} MiB")]
        public static partial void Returned(ILogger logger, int peak, int current, double before, double after);
    }
}
