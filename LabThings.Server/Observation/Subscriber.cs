using System.Threading.Channels;

namespace LabThings.Server.Observation;

/// <summary>
/// One client's queue of notifications: bounded; when it is full the oldest notification is dropped and
/// counted, so a slow client never holds up the Thing or other clients. Single reader (the client's sender).
/// </summary>
internal sealed class Subscriber
{
    /// <summary>How many notifications a subscriber may have waiting before the oldest are dropped.</summary>
    public const int Capacity = 256;

    private readonly Channel<Notification> _queue;
    private long _dropped;

    public Subscriber()
    {
        _queue = Channel.CreateBounded<Notification>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public ChannelReader<Notification> Reader => _queue.Reader;

    /// <summary>Queues <paramref name="notification"/>; never waits.</summary>
    public void Offer(Notification notification) => _queue.Writer.TryWrite(notification);

    /// <summary>How many notifications were dropped since the last call.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    public void Complete() => _queue.Writer.TryComplete();
}
