using System.ComponentModel;

namespace LabThings.Examples;

/// <summary>A counter that only the Thing itself can change; its actions arrive with the actions issue.</summary>
[DisplayName("Counter")]
[Description("A counter that clients can read but not write")]
public sealed class Counter : Thing
{
    /// <summary>The count; read-only for clients.</summary>
    [ThingProperty(Name = "counter", ReadOnly = true, Description = "The current count")]
    public int Count { get; private set => SetProperty(ref field, value); }

    /// <summary>Adds one to the count (called in-process; an HTTP action comes with the actions issue).</summary>
    /// <returns>The new count.</returns>
    public int Increment() => ++Count;
}
