using System.ComponentModel;

namespace LabThings.Tests.Packaging;

/// <summary>A Thing whose hardware is missing: it throws when the server starts it (for --fallback).</summary>
public sealed class UnpluggedThing : Thing
{
    public const string Problem = "the stage controller is not connected (test)";

    [ThingProperty]
    public int Value { get; set => SetProperty(ref field, value); }

    protected override Task StartAsync(CancellationToken cancellationToken)
        => throw new InvalidOperationException(Problem);
}

/// <summary>A Thing with constructor arguments of several kinds and a setting, for configuration tests.</summary>
[Description("A configurable Thing")]
public sealed class ConfiguredThing(string label, int gain, double offset = 0.5, TimeProvider? clock = null) : Thing
{
    public string Label { get; } = label;

    public int Gain { get; } = gain;

    public double Offset { get; } = offset;

    public TimeProvider? Clock { get; } = clock;

    [ThingSetting]
    public int Exposure { get; set => SetProperty(ref field, value); } = 10;

    [ThingProperty(ReadOnly = true)]
    public string Summary => $"{Label} x{Gain} +{Offset}";
}
