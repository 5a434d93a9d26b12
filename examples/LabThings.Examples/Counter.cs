using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace LabThings.Examples;

/// <summary>A counter that clients can read but change only through its actions.</summary>
[DisplayName("Counter")]
[Description("A counter that clients can read but change only through its actions")]
public sealed partial class Counter : Thing
{
    /// <summary>The count; read-only for clients.</summary>
    [ThingProperty(Name = "counter", ReadOnly = true, Description = "The current count")]
    public int Count { get; private set => SetProperty(ref field, value); }

    /// <summary>Adds one to the count.</summary>
    /// <returns>The new count.</returns>
    [ThingAction(Description = "Add one to the counter and return the new count")]
    public int IncrementCounter() => ++Count;

    /// <summary>Adds one per step, waiting between steps; cancellable, and reports progress.</summary>
    /// <param name="progress">Fraction of the steps done.</param>
    /// <param name="logger">Goes into the invocation's log.</param>
    /// <param name="cancellationToken">Cancelled by DELETE on the invocation.</param>
    /// <param name="increments">How many steps.</param>
    /// <param name="interval">Seconds between steps.</param>
    /// <returns>The count at the end.</returns>
    [ThingAction(Description = "Add one every interval (default: 60 steps, one second apart); cancellable; reports progress", Lock = ActionLocks.PerThing)]
    public async Task<int> SlowlyIncreaseCounterAsync(
        IProgress<double> progress,
        ILogger logger,
        CancellationToken cancellationToken,
        [Description("How many steps")] int increments = 60,
        [Description("Seconds between steps")] double interval = 1)
    {
        Log.Starting(logger, increments, interval);
        try
        {
            for (var step = 1; step <= increments; step++)
            {
                await Task.Delay(TimeSpan.FromSeconds(interval), cancellationToken);
                Count++;
                progress.Report((double)step / increments);
            }
        }
        finally
        {
            // Cleanup runs whether the action finishes or is cancelled.
            Log.Stopped(logger, Count);
        }

        return Count;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Counting up {Increments} times, {Interval} s apart")]
        public static partial void Starting(ILogger logger, int increments, double interval);

        [LoggerMessage(2, LogLevel.Information, "Stopped counting at {Count}")]
        public static partial void Stopped(ILogger logger, int count);
    }
}
