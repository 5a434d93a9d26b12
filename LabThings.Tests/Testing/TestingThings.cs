using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Testing;

/// <summary>What a bench needs to tell the time; the test gives a fake.</summary>
public interface IShutterDriver
{
    void Move(bool open);
}

/// <summary>A fake driver recording every move.</summary>
public sealed class RecordingDriver : IShutterDriver
{
    public List<bool> Moves { get; } = [];

    public void Move(bool open) => Moves.Add(open);
}

/// <summary>A Thing sensing something; fills a slot of the bench.</summary>
public interface ISensor
{
    double Read();
}

/// <summary>A fake sensor that is not a Thing.</summary>
public sealed class FakeSensor(double value) : ISensor
{
    public double Read() => value;
}

/// <summary>A Thing with a bit of everything, for the testing package's own tests.</summary>
[Description("A test bench")]
public sealed partial class Bench(IShutterDriver driver) : Thing, IDisposable
{
    [ThingSetting(Minimum = 0, Maximum = 10)]
    public int Gain { get; set => SetProperty(ref field, value); } = 1;

    [ThingSetting]
    public string Label { get; set => SetProperty(ref field, value); } = "bench";

    [ThingProperty]
    public bool Open
    {
        get;
        set
        {
            if (SetProperty(ref field, value))
            {
                driver.Move(value);
                NotifyPropertyChanged(nameof(Summary));
            }
        }
    }

    [ThingProperty(Observable = true)]
    public string Summary => Open ? $"open at gain {Gain}" : "closed";

    [ThingSlot]
    public ISensor Sensor { get; private set; } = null!;

    [ThingEvent]
    public event EventHandler<double>? Reading;

    public int Starts { get; private set; }

    public int Stops { get; private set; }

    public bool Disposed { get; private set; }

    public override object? ThingState => new { gain = Gain };

    [ThingAction]
    public async Task<double> MeasureAsync(IProgress<double> progress, ILogger logger, CancellationToken cancellationToken, int samples = 3)
    {
        var sum = 0.0;
        for (var i = 1; i <= samples; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            var value = Sensor.Read() * Gain;
            sum += value;
            Reading?.Invoke(this, value);
            progress.Report((double)i / samples);
        }

        Log.Measured(logger, samples);
        Log.Averaged(Logger, sum / samples);
        return sum / samples;
    }

    [ThingAction]
    public async Task HoldOpenAsync(ActionContext context)
    {
        Open = true;
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        finally
        {
            Open = false;
        }
    }

    [ThingAction]
    public void Break() => throw new InvalidOperationException("the lamp is broken");

    [ThingAction]
    public void Refuse() => throw new ActionFailedException("not now");

    [ThingAction]
    public IReadOnlyDictionary<string, object?> States() => GetThingStates();

    [ThingAction]
    public string Partner(ActionContext context) => context.GetThing<Partner>().Hello();

    public void Dispose() => Disposed = true;

    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        Starts++;
        return Task.CompletedTask;
    }

    protected override Task StopAsync(CancellationToken cancellationToken)
    {
        Stops++;
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Measured {Samples} samples")]
        public static partial void Measured(ILogger logger, int samples);

        [LoggerMessage(2, LogLevel.Information, "Average {Average}")]
        public static partial void Averaged(ILogger logger, double average);
    }
}

/// <summary>Another Thing, used through the action context and logging through its own Logger.</summary>
public sealed partial class Partner : Thing, ISensor
{
    public override object? ThingState => "partner state";

    public double Read() => 2;

    public string Hello()
    {
        Log.Hello(Logger);
        return "hello";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Partner says hello")]
        public static partial void Hello(ILogger logger);
    }
}

/// <summary>A Thing whose slot is a constructor parameter naming its Thing.</summary>
public sealed class Gauge([ThingSlot("main")] ISensor sensor) : Thing
{
    [ThingProperty]
    public double Value => sensor.Read();
}
