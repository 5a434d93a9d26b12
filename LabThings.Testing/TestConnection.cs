using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using Microsoft.Extensions.Logging;

namespace LabThings.Testing;

/// <summary>
/// The host's end of a Thing's connection in a test: records every change and event as a <see cref="ThingNotification"/>,
/// keeps the settings as the server's settings file would (the last value of each), and wakes up waiters.
/// </summary>
internal sealed class TestConnection(string name, Thing thing, RecordingLogger logger, Func<IReadOnlyDictionary<string, object?>> states) : IThingConnection
{
    private readonly Lock _gate = new();
    private readonly List<ThingNotification> _notifications = [];
    private readonly List<(Func<ThingNotification, bool> Match, TaskCompletionSource<ThingNotification> Done)> _waiters = [];
    private JsonObject? _settings;

    public string Name { get; } = name;

    public ILogger Logger => logger;

    public RecordingLogger Records => logger;

    /// <summary>Settings are kept in memory; nothing is written here.</summary>
    public string SettingsPath { get; } = Path.Combine(Path.GetTempPath(), "labthings-testing", name + ".json");

    public IReadOnlyList<ThingNotification> Notifications
    {
        get
        {
            lock (_gate)
            {
                return [.. _notifications];
            }
        }
    }

    /// <summary>The settings as a server would have saved them; empty until <see cref="StartSaving"/>.</summary>
    public JsonObject Settings
    {
        get
        {
            lock (_gate)
            {
                return (JsonObject?)_settings?.DeepClone() ?? [];
            }
        }
    }

    /// <summary>Takes the values the Thing holds now as the saved settings, and records changes from now on.</summary>
    public void StartSaving()
    {
        var values = new JsonObject();
        foreach (var property in thing.Definition.Properties.Where(p => p.IsSetting))
        {
            values[property.Name] = JsonSerializer.SerializeToNode(thing.Properties[property.Name].GetValue(), property.ValueType, LabThingsJson.Options);
        }

        lock (_gate)
        {
            _settings = values;
        }
    }

    public void PropertyChanged<T>(PropertyDefinition property, T value)
    {
        if (property.IsSetting)
        {
            var json = JsonSerializer.SerializeToNode(value, property.ValueType, LabThingsJson.Options);
            lock (_gate)
            {
                _settings?[property.Name] = json;
            }
        }

        Record(new ThingNotification(ThingNotificationKind.Property, property.Name, value));
    }

    public void FunctionalPropertyChanged(PropertyDefinition property)
    {
        object? value;
        try
        {
            value = thing.Properties[property.Name].GetValue();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // As on a server: a getter that fails is logged, and the code that reported the change carries on.
            logger.Add(new TestLogRecord(LogLevel.Warning, $"Could not read {Name}.{property.Name} to tell observers: {ex.Message}", ex));
            return;
        }

        Record(new ThingNotification(ThingNotificationKind.Property, property.Name, value));
    }

    public void EventRaised(EventDefinition thingEvent, object? payload)
        => Record(new ThingNotification(ThingNotificationKind.Event, thingEvent.Name, payload));

    public IReadOnlyDictionary<string, object?> ThingStates() => states();

    /// <summary>The first notification that matches, recorded already or yet to come.</summary>
    public Task<ThingNotification> WaitAsync(Func<ThingNotification, bool> match)
    {
        lock (_gate)
        {
            if (_notifications.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var done = new TaskCompletionSource<ThingNotification>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task;
        }
    }

    /// <summary>Forgets a waiter that gave up.</summary>
    public void Forget(Task<ThingNotification> waiter)
    {
        lock (_gate)
        {
            _waiters.RemoveAll(w => w.Done.Task == waiter);
        }
    }

    private void Record(ThingNotification notification)
    {
        List<TaskCompletionSource<ThingNotification>> woken = [];
        lock (_gate)
        {
            if (_settings is null)
            {
                // Restoring settings: a server tells nobody of those.
                return;
            }

            _notifications.Add(notification);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                bool matched;
                try
                {
                    matched = _waiters[i].Match(notification);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The test's predicate failed: that waiter fails, the Thing's setter carries on.
                    _waiters[i].Done.TrySetException(ex);
                    _waiters.RemoveAt(i);
                    continue;
                }

                if (matched)
                {
                    woken.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in woken)
        {
            done.TrySetResult(notification);
        }
    }
}
