using LabThings.Model;
using Microsoft.Extensions.Logging;

namespace LabThings;

/// <summary>
/// A Thing's one link to the server that hosts it, given to the Thing when it is attached
/// (see <c>Thing.Attach</c>). The Thing tells it about changes; everything else the Thing needs from the
/// server (its name, logger, settings file) it reads from here. Unit tests attach a fake one.
/// </summary>
/// <remarks>Implementations must be thread-safe: Things call them from any thread.</remarks>
internal interface IThingConnection
{
    /// <summary>The Thing's name on the server (its URL segment).</summary>
    string Name { get; }

    /// <summary>The Thing's logger.</summary>
    ILogger Logger { get; }

    /// <summary>The file the Thing's settings are saved in.</summary>
    string SettingsPath { get; }

    /// <summary>
    /// A data property now holds <paramref name="value"/>. Called inside the property's own lock, so calls for one
    /// property arrive in the order its values were stored.
    /// </summary>
    void PropertyChanged<T>(PropertyDefinition property, T value);

    /// <summary>A functional property's value may have changed; the host reads it (through the getter) only if it needs it.</summary>
    void FunctionalPropertyChanged(PropertyDefinition property);

    /// <summary>The Thing raised an event with <paramref name="payload"/> (null if it has none).</summary>
    void EventRaised(EventDefinition thingEvent, object? payload);

    /// <summary>The <see cref="Thing.ThingState"/> of every Thing on the server that has one, by name.</summary>
    IReadOnlyDictionary<string, object?> ThingStates();
}
