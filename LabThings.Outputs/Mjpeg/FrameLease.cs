using System.Buffers;

namespace LabThings.Outputs;

/// <summary>
/// The pooled buffer behind a frame added with an owning <see cref="MjpegStream"/>.AddFrame overload, and who holds it:
/// the ring buffer (one reference while the frame is in it) and any reader copying it out (one each). The buffer goes
/// back to its pool when the last reference is released, unless the frame has been handed to code whose use of it
/// cannot be tracked (a public member returning the <see cref="RingbufferEntry"/>): then it is left to the garbage
/// collector, so no caller ever sees its bytes change.
/// </summary>
internal sealed class FrameLease
{
    private readonly IMemoryOwner<byte>? _owner;
    private readonly ArrayPool<byte>? _pool;
    private readonly byte[]? _array;
    private int _references = 1;
    private volatile bool _escaped;

    /// <summary>A lease over an owner's memory; disposing the owner returns it.</summary>
    public FrameLease(IMemoryOwner<byte> owner) => _owner = owner;

    /// <summary>A lease over an array rented from <paramref name="pool"/>.</summary>
    public FrameLease(byte[] array, ArrayPool<byte> pool)
    {
        _array = array;
        _pool = pool;
    }

    /// <summary>References held now (the ring's and the readers'); 0 once released for good.</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>True once the buffer has gone back to its pool.</summary>
    public bool Returned { get; private set; }

    /// <summary>True once the frame was handed out untracked, so the buffer will never go back to the pool.</summary>
    public bool Escaped => _escaped;

    /// <summary>Takes a reference if the buffer has not been released; false if it has (the frame is gone: use a newer one).</summary>
    public bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Drops a reference; the last one returns the buffer to its pool unless the frame escaped.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0 && !_escaped)
        {
            Returned = true;
            if (_owner is not null)
            {
                _owner.Dispose();
            }
            else
            {
                _pool!.Return(_array!);
            }
        }
    }

    /// <summary>Marks the frame as handed out untracked. The caller must hold a reference (or the ring's lock while the frame is in the ring).</summary>
    public void Escape() => _escaped = true;
}
