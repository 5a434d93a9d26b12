using System.ComponentModel;
using LabThings;

namespace MyThing;

/// <summary>
/// A Thing: its [ThingProperty] and [ThingAction] members are served over HTTP, with a W3C Thing Description,
/// once a server adds it (AddLabThings().AddThing&lt;MyThing&gt;("my_thing"), or a configuration naming MyThing.MyThing).
/// </summary>
[Description("A simulated shutter")]
public sealed class MyThing : Thing
{
    /// <summary>Whether the shutter is open; clients can read it, observe it and write it.</summary>
    [ThingProperty(Description = "Whether the shutter is open")]
    public bool IsOpen { get; set => SetProperty(ref field, value); }

    /// <summary>How many times the shutter has moved; read-only for clients.</summary>
    [ThingProperty(ReadOnly = true, Description = "How many times the shutter has moved")]
    public int Moves { get; private set => SetProperty(ref field, value); }

    /// <summary>Opens the shutter for a while, then closes it again.</summary>
    /// <param name="seconds">How long to stay open.</param>
    /// <param name="cancellationToken">Cancelled when a client cancels the invocation; the shutter closes anyway.</param>
    /// <returns>How many times the shutter has moved.</returns>
    [ThingAction(Description = "Open the shutter for a while, then close it")]
    public async Task<int> ExposeAsync([Description("Seconds to stay open")] double seconds, CancellationToken cancellationToken)
    {
        IsOpen = true;
        Moves++;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        finally
        {
            IsOpen = false;
            Moves++;
        }

        return Moves;
    }
}
