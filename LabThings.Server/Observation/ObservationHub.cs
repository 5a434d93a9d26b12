using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Threading.Channels;
using LabThings.Model;
using LabThings.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace LabThings.Server.Observation;

/// <summary>
/// Delivers property changes, action status changes and events to subscribers. Publishing only serializes
/// the payload (when someone is subscribed) and queues it; one dispatcher fans notifications out to the
/// subscribers' bounded queues in publication order, so neither the Thing nor other subscribers ever wait for
/// a slow one.
/// </summary>
internal sealed partial class ObservationHub : IDisposable
{
    private readonly ConcurrentDictionary<ObservationKey, ImmutableArray<Subscriber>> _subscribers = new();
    private readonly Channel<Notification> _pending = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Action> _unsubscribe = [];
    private readonly ILogger<ObservationHub> _logger;
    private readonly Task _dispatcher;

    public ObservationHub(ThingHost host, ILogger<ObservationHub> logger)
    {
        _logger = logger;
        foreach (var thing in host.Things)
        {
            thing.Thing.PropertyValueChanged += (t, property) => OnPropertyChanged(thing, property);
            foreach (var thingEvent in thing.Definition.Events)
            {
                var key = new ObservationKey(thing.Name, ObservationKind.Event, thingEvent.Name);
                _unsubscribe.Add(thingEvent.Subscribe(thing.Thing, payload => OnEvent(key, thingEvent, payload)));
            }
        }

        _dispatcher = Task.Run(DispatchAsync);
    }

    /// <summary>Whether anyone is subscribed to <paramref name="key"/> (publishers skip serialization otherwise).</summary>
    public bool HasSubscribers(ObservationKey key) => _subscribers.TryGetValue(key, out var list) && !list.IsEmpty;

    /// <summary>How many subscribers <paramref name="key"/> has now.</summary>
    public int SubscriberCount(ObservationKey key) => _subscribers.TryGetValue(key, out var list) ? list.Length : 0;

    /// <summary>Subscribes; dispose the result to unsubscribe.</summary>
    public IDisposable Subscribe(ObservationKey key, Subscriber subscriber)
    {
        _subscribers.AddOrUpdate(key, _ => [subscriber], (_, list) => list.Add(subscriber));
        return new Subscription(this, key, subscriber);
    }

    /// <summary>Queues a notification for delivery; never waits.</summary>
    public void Publish(Notification notification) => _pending.Writer.TryWrite(notification);

    public void Dispose()
    {
        foreach (var unsubscribe in _unsubscribe)
        {
            unsubscribe();
        }

        _pending.Writer.TryComplete();
    }

    private void OnPropertyChanged(HostedThing thing, PropertyDefinition property)
    {
        var key = new ObservationKey(thing.Name, ObservationKind.Property, property.Name);
        if (!HasSubscribers(key))
        {
            return;
        }

        try
        {
            var json = JsonSerializer.Serialize(property.Getter(thing.Thing), property.ValueType, LabThingsJson.Options);
            Publish(new Notification(key, json));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A notification must never break the setter that raised it.
            Log.NotificationFailed(_logger, ex, thing.Name, property.Name);
        }
    }

    private void OnEvent(ObservationKey key, EventDefinition definition, object? payload)
    {
        if (!HasSubscribers(key))
        {
            return;
        }

        try
        {
            var json = definition.PayloadType is { } type ? JsonSerializer.Serialize(payload, type, LabThingsJson.Options) : "null";
            Publish(new Notification(key, json));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.NotificationFailed(_logger, ex, key.Thing, key.Name);
        }
    }

    private async Task DispatchAsync()
    {
        await foreach (var notification in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_subscribers.TryGetValue(notification.Key, out var list))
            {
                foreach (var subscriber in list)
                {
                    subscriber.Offer(notification);
                }
            }
        }
    }

    private void Unsubscribe(ObservationKey key, Subscriber subscriber)
        => _subscribers.AddOrUpdate(key, _ => [], (_, list) => list.Remove(subscriber));

    private sealed class Subscription(ObservationHub hub, ObservationKey key, Subscriber subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Unsubscribe(key, subscriber);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not notify observers of {ThingName}.{Name}")]
        public static partial void NotificationFailed(ILogger logger, Exception exception, string thingName, string name);
    }
}
