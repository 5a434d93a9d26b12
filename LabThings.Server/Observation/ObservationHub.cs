using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;

namespace LabThings.Server.Observation;

/// <summary>
/// Delivers property changes, action status changes and events to subscribers. Publishers check
/// <see cref="HasSubscribers"/> before serializing anything, then queue the notification; one dispatcher fans
/// notifications out to the subscribers' bounded queues in publication order, so neither the Thing nor other
/// subscribers ever wait for a slow one.
/// </summary>
internal sealed class ObservationHub : IDisposable
{
    private readonly ConcurrentDictionary<ObservationKey, ImmutableArray<Subscriber>> _subscribers = new();
    private readonly Channel<Notification> _pending = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });

    public ObservationHub()
    {
        _ = Task.Run(DispatchAsync);
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

    public void Dispose() => _pending.Writer.TryComplete();

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
}
