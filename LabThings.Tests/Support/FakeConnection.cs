using System.Collections.Concurrent;
using LabThings.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LabThings.Tests.Support;

/// <summary>
/// A stand-in for the server a Thing is attached to: records what the Thing reports, so a Thing can be tested
/// without a host.
/// </summary>
internal sealed class FakeConnection(string name = "thing") : IThingConnection
{
    public string Name { get; } = name;

    public ILogger Logger { get; init; } = NullLogger.Instance;

    public string SettingsPath { get; init; } = Path.Combine(Path.GetTempPath(), "labthings-tests", "unused.json");

    /// <summary>Every change reported, in order: (property name, value).</summary>
    public ConcurrentQueue<(string Property, object? Value)> Changes { get; } = new();

    /// <summary>Functional properties reported as changed, in order.</summary>
    public ConcurrentQueue<string> FunctionalChanges { get; } = new();

    /// <summary>Every event raised, in order: (event name, payload).</summary>
    public ConcurrentQueue<(string Event, object? Payload)> Events { get; } = new();

    /// <summary>Attaches <paramref name="thing"/> to this connection with its type's definition; returns the Thing.</summary>
    public T Attach<T>(T thing)
        where T : Thing
    {
        thing.Attach(this, ThingDefinitions.Get(thing.GetType()));
        return thing;
    }

    public void PropertyChanged<TValue>(PropertyDefinition property, TValue value) => Changes.Enqueue((property.Name, value));

    public void FunctionalPropertyChanged(PropertyDefinition property) => FunctionalChanges.Enqueue(property.Name);

    /// <summary>What <see cref="ThingStates"/> answers: empty unless a test sets it.</summary>
    public IReadOnlyDictionary<string, object?> States { get; set; } = new Dictionary<string, object?>();

    public IReadOnlyDictionary<string, object?> ThingStates() => States;

    public void EventRaised(EventDefinition thingEvent, object? payload) => Events.Enqueue((thingEvent.Name, payload));
}
