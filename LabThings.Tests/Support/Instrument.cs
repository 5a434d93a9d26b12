using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace LabThings.Tests.Support;

public enum Mode
{
    Fast,
    Accurate,
}

/// <summary>A value with an optional member, for object-schema tests.</summary>
public sealed record Position(double X, double Y, string? Label = null);

/// <summary>A Thing with every kind of property, for the property tests.</summary>
[Description("Every kind of property")]
public sealed class Instrument : Thing
{
    private double _gainInHardware = 2;

    [ThingProperty(Minimum = 0, Maximum = 10, Unit = "ms", Description = "Exposure time")]
    public double Exposure { get; set => SetProperty(ref field, value); } = 1.5;

    [ThingProperty(Pattern = "^[A-Z]{3}$", MinLength = 3, MaxLength = 3)]
    public string Code { get; set => SetProperty(ref field, value); } = "ABC";

    [ThingProperty]
    public Mode Mode { get; set => SetProperty(ref field, value); } = Mode.Fast;

    [ThingProperty]
    public Position Position { get; set => SetProperty(ref field, value); } = new(1, 2);

    [ThingProperty]
    public List<int> Values { get; set => SetProperty(ref field, value); } = [1, 2, 3];

    [ThingProperty]
    public Dictionary<string, double> Gains { get; set => SetProperty(ref field, value); } = new() { ["red"] = 1.0 };

    [ThingProperty]
    public int? Optional { get; set => SetProperty(ref field, value); }

    [ThingProperty]
    public string? Note { get; set => SetProperty(ref field, value); }

    [ThingProperty]
    [Range(0, 5)]
    public int Level { get; set => SetProperty(ref field, value); } = 1;

    [ThingProperty(ReadOnly = true)]
    public int Readings { get; private set => SetProperty(ref field, value); } = 7;

    /// <summary>Functional, with a setter and a resetter: the value lives "in hardware".</summary>
    [ThingProperty(Resetter = nameof(ResetGain), Minimum = 0)]
    public double Gain { get => _gainInHardware; set => _gainInHardware = value; }

    /// <summary>Functional and read-only.</summary>
    [ThingProperty]
    public string Temperature => $"{20 + Readings} C";

    [ThingSetting]
    public string Label { get; set => SetProperty(ref field, value); } = "none";

    [ThingSetting(Minimum = 0)]
    public int Counter { get; set => SetProperty(ref field, value); }

    public int ResetGainCalls { get; private set; }

    public void TakeReading() => Readings++;

    private void ResetGain()
    {
        ResetGainCalls++;
        _gainInHardware = 2;
    }
}

/// <summary>A Thing that validates its own writes.</summary>
[ValidatePropertyWrites]
public sealed class StrictInstrument : Thing
{
    [ThingProperty(Minimum = 0, Maximum = 10)]
    public int Level { get; set => SetProperty(ref field, value); } = 3;
}
