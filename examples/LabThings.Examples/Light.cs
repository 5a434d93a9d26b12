using System.ComponentModel;

namespace LabThings.Examples;

/// <summary>A dimmable light: a setting, a read-only property and a functional property.</summary>
[DisplayName("Light")]
[Description("A dimmable light whose brightness is remembered across restarts")]
[ThingContext("saref", "https://w3id.org/saref#")]
[SemanticType("saref:LightSwitch")]
public sealed class Light : Thing
{
    /// <summary>Brightness in percent; saved to the settings folder whenever it changes.</summary>
    [ThingSetting(Minimum = 0, Maximum = 100, Unit = "%", Description = "Brightness in percent")]
    [SemanticType("saref:LevelControlFunction")]
    public int Brightness
    {
        get;
        set
        {
            if (SetProperty(ref field, value))
            {
                IsOn = value > 0;
            }
        }
    } = 50;

    /// <summary>Whether the light gives any light; follows <see cref="Brightness"/>.</summary>
    [ThingProperty(ReadOnly = true, Description = "Whether the light is on (brightness above 0)")]
    [SemanticType("saref:OnOffState")]
    public bool IsOn { get; private set => SetProperty(ref field, value); } = true;

    /// <summary>A sentence describing the light, computed on every read.</summary>
    /// <summary>The light's part of every Thing's state (embedded in the camera's captures).</summary>
    public override object? ThingState => new { brightness = Brightness };

    [ThingProperty(Description = "The light's state in words")]
    public string Status => IsOn ? $"On at {Brightness}%" : "Off";
}
