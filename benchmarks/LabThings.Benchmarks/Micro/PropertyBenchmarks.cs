using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using LabThings.Model;

namespace LabThings.Benchmarks.Micro;

/// <summary>A position, for an object-valued property.</summary>
public sealed record Position(double X, double Y, string Name);

/// <summary>The micro-benchmarks' Thing.</summary>
[Description("A Thing for the micro-benchmarks")]
public sealed class MicroThing : Thing
{
    [ThingProperty(Minimum = 0, Maximum = 1000, Description = "A number with a range")]
    public double Level { get; set => SetProperty(ref field, value); }

    [ThingProperty(Description = "An object")]
    public Position Target { get; set => SetProperty(ref field, value); } = new(0, 0, "home");

    [ThingAction(Description = "An action with four input parameters, two of them optional")]
    public double Move(double x, double y, int speed = 10, string mode = "fast") => x + y + speed + mode.Length;
}

/// <summary>
/// A data property's setter (<c>set => SetProperty(ref field, value)</c>, every call a change) on a Thing served by a
/// real app, whose server turns each change into a notification when someone observes the property: without an
/// observer, and with one subscribed through the server's observation hub (whose queue nobody reads).
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class SetPropertyBenchmarks
{
    private BenchApp _app = null!;
    private MicroThing _thing = null!;
    private IDisposable? _subscription;
    private double _value;

    [Params(false, true)]
    public bool Observed { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _app = await BenchApp.StartAsync<MicroThing>("micro");
        _thing = _app.Get<MicroThing>();
        _subscription = Observed ? Internals.ObserveProperty(_app.App.Services, "micro", "level") : null;
    }

    [Benchmark]
    public void SetProperty() => _thing.Level = _value = _value >= 1000 ? 0 : _value + 1;

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _subscription?.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// <see cref="ThingProperty.SetValue"/>, the in-process way to set a property with validation: the value is serialized,
/// validated against the property's JSON schema, deserialized and set. The plain C# setter is the baseline. On a Thing
/// that no server holds, so nothing is notified.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class SetValueBenchmarks
{
    private readonly MicroThing _thing = new();
    private readonly Position _position = new(1.5, -2, "sample");
    private ThingProperty _level = null!;
    private ThingProperty _target = null!;
    private double _value;

    [GlobalSetup]
    public void Setup() => (_level, _target) = (_thing.Properties["level"], _thing.Properties["target"]);

    [Benchmark(Baseline = true, Description = "Level = value (C# setter)")]
    public void Setter() => _thing.Level = Next();

    [Benchmark(Description = "SetValue(number with minimum, maximum)")]
    public void SetNumber() => _level.SetValue(Next());

    [Benchmark(Description = "SetValue(object with 3 members)")]
    public void SetObject() => _target.SetValue(_position with { X = Next() });

    private double Next() => _value = _value >= 1000 ? 0 : _value + 1;
}

/// <summary>Binding an action's JSON input (validate against the input schema, then deserialize each argument), as for a POST.</summary>
[MemoryDiagnoser]
[GcServer(true)]
public class ActionInputBenchmarks
{
    private readonly ActionDefinition _move = new MicroThing().Definition.Actions.Single(a => a.Name == "move");

    [Benchmark(Description = "bind {x, y, speed, mode}")]
    public object Bind() => Internals.BindActionInput(_move, """{"x": 1.5, "y": -2, "speed": 20, "mode": "slow"}""");
}
