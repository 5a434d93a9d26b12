using LabThings.Outputs;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Support;

/// <summary>A Thing with actions of every shape, for the action tests.</summary>
public sealed class Worker : Thing
{
    private int _running;
    private int _maxRunning;
    private int _cleanups;

    public int MaxConcurrentExclusive => Volatile.Read(ref _maxRunning);

    public int Cleanups => Volatile.Read(ref _cleanups);

    public Blob? LastMadeBlob { get; private set; }

    public Blob? LastReceivedBlob { get; private set; }

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [ThingEvent(Description = "The worker moved")]
    public event EventHandler<Position>? Moved;

    [ThingEvent]
    public event Action? Pinged;

    public void RaiseMoved(double x, double y) => Moved?.Invoke(this, new Position(x, y));

    public void RaisePinged() => Pinged?.Invoke();

    [ThingAction(Description = "Adds two numbers")]
    public double Add(double a, double b = 1) => a + b;

    [ThingAction]
    public Position Echo(Position position, Mode mode = Mode.Fast, int[]? tags = null)
        => position with { Label = $"{mode}:{tags?.Length ?? 0}" };

    [ThingAction]
    public void Nothing()
    {
    }

    [ThingAction]
    public void Crash() => throw new InvalidOperationException("the motor driver is not responding");

    [ThingAction]
    public void Refuse() => throw new ActionFailedException("the stage is at its limit");

    [ThingAction]
    public async Task WaitAsync(CancellationToken cancellationToken, double seconds = 30)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _cleanups);
        }
    }

    [ThingAction(Lock = "hardware")]
    public async Task<int> ExclusiveAsync(CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }

        try
        {
            await Gate.Task.WaitAsync(cancellationToken);
            return now;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    [ThingAction(Lock = "hardware", RefuseWhenLocked = true)]
    public int ExclusiveOrRefuse() => 1;

    [ThingAction]
    public Blob MakeBlob(int size)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++)
        {
            data[i] = (byte)(i * 7);
        }

        return LastMadeBlob = Blob.FromBytes(data, "application/x-test");
    }

    [ThingAction]
    public long TakeBlob(Blob data)
    {
        LastReceivedBlob = data;
        return data.Length;
    }

    [ThingAction]
    public async Task<string> ReportAsync(ActionContext context, ILogger logger)
    {
        context.ReportProgress(0.25);
        logger.LogInformation("a quarter done");
        context.Logger.LogWarning("halfway, with a warning");
        context.ReportProgress(0.5);
        await Gate.Task.WaitAsync(context.CancellationToken);
        return context.GetThing<Worker>() == this ? "same thing" : "other thing";
    }
}

/// <summary>A TimeProvider whose clock the test moves.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
