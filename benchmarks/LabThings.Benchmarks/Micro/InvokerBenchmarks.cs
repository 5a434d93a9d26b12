using BenchmarkDotNet.Attributes;
using LabThings.Model;

namespace LabThings.Benchmarks.Micro;

/// <summary>
/// How the server calls into a Thing once a request is decoded: a property's getter and setter through its definition
/// (boxed values, as the endpoints use them), and an action through its invoker. The direct C# getter is the baseline.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class InvokerBenchmarks
{
    private readonly MicroThing _thing = new();
    private readonly object?[] _arguments = [1.5, -2.0, 10, "fast"];
    private PropertyDefinition _level = null!;
    private ActionDefinition _move = null!;
    private object _boxed = 0.0;

    [GlobalSetup]
    public void Setup()
    {
        _level = _thing.Definition.Properties.Single(p => p.Name == "level");
        _move = _thing.Definition.Actions.Single(a => a.Name == "move");
        _boxed = 42.0;
    }

    [Benchmark(Baseline = true, Description = "Level (C# getter)")]
    public double Getter() => _thing.Level;

    [Benchmark(Description = "definition GetValue")]
    public object? Get() => _level.GetValue(_thing);

    [Benchmark(Description = "definition SetValue")]
    public void Set() => _level.SetValue(_thing, _boxed);

    [Benchmark(Description = "action InvokeAsync (sync method, 4 arguments)")]
    public Task<object?> Invoke() => _move.InvokeAsync(_thing, _arguments);
}
