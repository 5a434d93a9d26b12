using System.Text.Json;
using LabThings.Model;
using LabThings.Server.Observation;
using Microsoft.Extensions.Logging;

namespace LabThings.Server.Hosting;

/// <summary>
/// A Thing on this server, and the host's end of its connection: it knows the Thing's name, definition, logger
/// and settings file, and fans each change the Thing reports out in a fixed order: first to the settings file
/// (for a setting), then to the observation hub (when anyone observes it). A value is serialized once, and only
/// when one of them needs it.
/// </summary>
internal sealed partial class HostedThing : IThingConnection
{
    private readonly SettingsFile? _settings;
    private readonly ObservationHub _hub;

    public HostedThing(string name, Thing thing, ThingDefinition definition, ILogger logger, string settingsPath, ObservationHub hub)
    {
        Name = name;
        Thing = thing;
        Definition = definition;
        Logger = logger;
        SettingsPath = settingsPath;
        _hub = hub;
        _settings = definition.Properties.Any(p => p.IsSetting) ? new SettingsFile(name, settingsPath, logger) : null;
    }

    public string Name { get; }

    /// <summary>Reads every Thing's state (set by the host once every Thing exists).</summary>
    public Func<IReadOnlyDictionary<string, object?>>? States { get; set; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> ThingStates() => States?.Invoke() ?? new Dictionary<string, object?>();

    /// <summary>The names of the Things this one uses through its slots (linked from its Thing Description).</summary>
    public IReadOnlyList<string> Uses { get; set; } = [];

    public Thing Thing { get; }

    public ThingDefinition Definition { get; }

    public ILogger Logger { get; }

    public string SettingsPath { get; }

    /// <summary>Attaches the Thing to this host and restores its settings. Called once, before the Thing starts.</summary>
    public void Attach()
    {
        Thing.Attach(this, Definition);
        _settings?.Load(Thing);
    }

    public void PropertyChanged<T>(PropertyDefinition property, T value)
    {
        var key = new ObservationKey(Name, ObservationKind.Property, property.Name);
        var observed = _hub.HasSubscribers(key);
        if (observed || property.IsSetting)
        {
            // No lambda here: one capturing the parameters would be allocated on every call, listened to or not.
            Report(property, key, observed, Serialize(property, value));
        }
    }

    public void FunctionalPropertyChanged(PropertyDefinition property)
    {
        var key = new ObservationKey(Name, ObservationKind.Property, property.Name);
        var observed = _hub.HasSubscribers(key);
        if (observed || property.IsSetting)
        {
            object? value;
            try
            {
                value = Thing.Properties[property.Name].GetValue();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A functional getter talks to hardware; its failure must not break the code that reported the change.
                Log.NotificationFailed(Logger, ex, Name, property.Name);
                return;
            }

            Report(property, key, observed, Serialize(property, value));
        }
    }

    public void EventRaised(EventDefinition thingEvent, object? payload)
    {
        var key = new ObservationKey(Name, ObservationKind.Event, thingEvent.Name);
        if (!_hub.HasSubscribers(key))
        {
            return;
        }

        try
        {
            var json = thingEvent.PayloadType is { } type ? JsonSerializer.Serialize(payload, type, LabThingsJson.Options) : "null";
            _hub.Publish(new Notification(key, json));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Telling subscribers must never break the code that raised the event.
            Log.NotificationFailed(Logger, ex, Name, thingEvent.Name);
        }
    }

    /// <summary>The value as JSON, or null (logged) if it cannot be serialized: telling the host must never break the setter.</summary>
    private string? Serialize<T>(PropertyDefinition property, T value)
    {
        try
        {
            return JsonSerializer.Serialize(value, property.ValueType, LabThingsJson.Options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.NotificationFailed(Logger, ex, Name, property.Name);
            return null;
        }
    }

    private void Report(PropertyDefinition property, ObservationKey key, bool observed, string? json)
    {
        if (json is null)
        {
            return;
        }

        if (property.IsSetting)
        {
            _settings?.Save(property, json);
        }

        if (observed)
        {
            _hub.Publish(new Notification(key, json));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not tell the server about a change of {ThingName}.{Name}", EventName = "NotificationFailed")]
        public static partial void NotificationFailed(ILogger logger, Exception exception, string thingName, string name);
    }
}
