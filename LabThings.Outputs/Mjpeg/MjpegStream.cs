using System.Buffers;
using System.Runtime.CompilerServices;

namespace LabThings.Outputs;

/// <summary>
/// A live stream of JPEG frames, kept in a ring buffer and served to any number of readers,
/// typically as an MJPEG (<c>multipart/x-mixed-replace</c>) HTTP response.
/// </summary>
/// <remarks>
/// <para>
/// A producer (a camera's capture loop) calls <see cref="AddFrame(ReadOnlyMemory{byte}, DateTimeOffset?)"/> from any thread.
/// Adding a frame copies it once (or, with the overloads taking a pooled buffer, takes the buffer), stores it in the ring buffer and wakes every waiting reader; it takes a short
/// lock shared only with other producers and <see cref="Reset"/>/<see cref="Stop"/>/<see cref="GetRingbufferEntry"/>,
/// and never waits for a reader. Readers always take the newest frame: a reader that is slower
/// than the producer skips frames rather than falling behind.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1711:Identifiers should not have incorrect suffix",
    Justification = "An MJPEG stream is the domain term (labthings-fastapi's MJPEGStream); it is not a System.IO.Stream.")]
public sealed partial class MjpegStream
{
    /// <summary>The ring buffer size used when none is given: 10 frames.</summary>
    public const int DefaultRingbufferSize = 10;

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private RingbufferEntry?[] _ring;
    private ArrayPool<byte> _copies;
    private RingbufferEntry? _newest;
    private long _framesAdded;
    private long _stopCount;
    private bool _stopped;
    private int _clients;
    private TaskCompletionSource _signal = NewSignal();

    /// <summary>Creates an empty, running stream.</summary>
    /// <param name="ringbufferSize">How many of the newest frames to keep (at least 1). Defaults to <see cref="DefaultRingbufferSize"/>.</param>
    /// <param name="timeProvider">The clock for frames added without a timestamp; <see cref="TimeProvider.System"/> if null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ringbufferSize"/> is less than 1.</exception>
    public MjpegStream(int ringbufferSize = DefaultRingbufferSize, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ringbufferSize, 1);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _ring = new RingbufferEntry?[ringbufferSize];
        _copies = NewCopyPool(ringbufferSize);
    }

    /// <summary>How many frames the ring buffer keeps.</summary>
    public int RingbufferSize
    {
        get
        {
            lock (_gate)
            {
                return _ring.Length;
            }
        }
    }

    /// <summary>The index of the newest frame, or -1 if no frame was added since construction or the last <see cref="Reset"/>.</summary>
    public long LastFrameIndex => Volatile.Read(ref _newest)?.Index ?? -1;

    /// <summary>The newest frame, or null if there is none yet. Never waits.</summary>
    public RingbufferEntry? NewestFrame
    {
        get
        {
            while (true)
            {
                var newest = Volatile.Read(ref _newest);
                if (newest is null || HandOut(newest))
                {
                    return newest;
                }
            }
        }
    }

    /// <summary>How many frames have been added since the stream was created (not reset by <see cref="Reset"/>).</summary>
    public long FramesAdded => Interlocked.Read(ref _framesAdded);

    /// <summary>How many multipart readers (<see cref="WriteMultipartAsync"/>, one per HTTP client) are connected now.</summary>
    public int ClientsConnected => Volatile.Read(ref _clients);

    /// <summary>True after <see cref="Stop"/> until the next <see cref="Reset"/>.</summary>
    public bool IsStopped => Volatile.Read(ref _stopped);

    /// <summary>Adds a JPEG frame to the stream and wakes every waiting reader.</summary>
    /// <param name="jpeg">A complete JPEG image. It is copied, so the caller may reuse its buffer at once.</param>
    /// <param name="timestamp">When the frame was captured; the current time of the stream's <see cref="TimeProvider"/> if null.</param>
    /// <remarks>
    /// Callable from any thread. The cost does not depend on the number of readers, and the call never
    /// waits for one. Frames added while the stream is stopped are kept (snapshots see them) but wake nobody.
    /// The copy is made into an array from a pool of the stream's own, which takes it back when the frame falls out of
    /// the ring buffer and no reader is copying it out, so a steady producer allocates nothing per frame. A producer
    /// that already holds each frame in a pooled buffer can avoid the copy too, with the overloads that take ownership of it.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="jpeg"/> does not start with FF D8 and end with FF D9; the stream is unchanged.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "ApiDesign",
        "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads",
        Justification = "Shipped before the owning overloads, which take a pooled buffer, not memory, so no call can pick the wrong one.")]
    public void AddFrame(ReadOnlyMemory<byte> jpeg, DateTimeOffset? timestamp = null)
    {
        ValidateJpeg(jpeg.Span, nameof(jpeg));

        // The copy comes from a pool of this stream's own and goes back to it as a frame falls out of the ring, so a
        // steady producer allocates nothing per frame (a 100 KB frame would otherwise be a large object each time).
        var copies = Volatile.Read(ref _copies);
        var copy = copies.Rent(jpeg.Length);
        jpeg.CopyTo(copy);
        Publish(copy.AsMemory(0, jpeg.Length), new FrameLease(copy, copies), timestamp);
    }

    /// <summary>
    /// The pool for the copying <see cref="AddFrame(ReadOnlyMemory{byte}, DateTimeOffset?)"/>: enough arrays of a size
    /// for the ring and a few readers copying frames out. It has no per-thread caches (unlike
    /// <see cref="ArrayPool{T}.Shared"/>), so what it keeps is bounded by the ring, whichever thread returns a buffer.
    /// Frames larger than 16 MiB are copied into arrays of their own.
    /// </summary>
    private static ArrayPool<byte> NewCopyPool(int ringbufferSize) =>
        ArrayPool<byte>.Create(16 * 1024 * 1024, ringbufferSize + 4);

    /// <summary>
    /// Adds a JPEG frame held in an array rented from <paramref name="pool"/>, taking ownership of the array: the stream
    /// returns it to the pool once the frame has left the ring buffer and no reader is copying it out. No copy is made.
    /// </summary>
    /// <param name="frame">The array; the frame is its first <paramref name="length"/> bytes. Do not touch it after the call.</param>
    /// <param name="length">The frame's length in bytes.</param>
    /// <param name="pool">The pool the array came from.</param>
    /// <param name="timestamp">When the frame was captured; the current time of the stream's <see cref="TimeProvider"/> if null.</param>
    /// <remarks>
    /// A frame that public members hand out (<see cref="NewestFrame"/>, <see cref="GetRingbufferEntry"/>,
    /// <see cref="ReadFramesAsync"/>, <see cref="GrabFrameAsync"/>) is never returned to the pool, since the stream cannot
    /// know when its caller is done with it; the garbage collector frees it instead. MJPEG responses copy frames out under
    /// a reference, so serving clients does not keep arrays from the pool.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="frame"/> or <paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or longer than the array.</exception>
    /// <exception cref="ArgumentException">The bytes are not a complete JPEG; the stream is unchanged and the caller keeps the array.</exception>
    public void AddFrame(byte[] frame, int length, ArrayPool<byte> pool, DateTimeOffset? timestamp)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, frame.Length);
        ValidateJpeg(frame.AsSpan(0, length), nameof(frame));
        Publish(frame.AsMemory(0, length), new FrameLease(frame, pool), timestamp);
    }

    /// <summary>
    /// Adds a JPEG frame held in pooled memory, taking ownership: the stream disposes <paramref name="frame"/> once the
    /// frame has left the ring buffer and no reader is copying it out. No copy is made.
    /// </summary>
    /// <param name="frame">The memory's owner; the frame is the first <paramref name="length"/> bytes of its memory. Do not touch it after the call.</param>
    /// <param name="length">The frame's length in bytes.</param>
    /// <param name="timestamp">When the frame was captured; the current time of the stream's <see cref="TimeProvider"/> if null.</param>
    /// <remarks>As for the array overload: a frame handed out by a public member is left to the garbage collector, not disposed.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="frame"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or longer than the memory.</exception>
    /// <exception cref="ArgumentException">The bytes are not a complete JPEG; the stream is unchanged and the caller still owns the memory.</exception>
    public void AddFrame(IMemoryOwner<byte> frame, int length, DateTimeOffset? timestamp)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var memory = frame.Memory;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, memory.Length);
        ValidateJpeg(memory.Span[..length], nameof(frame));
        Publish(memory[..length], new FrameLease(frame), timestamp);
    }

    private void Publish(ReadOnlyMemory<byte> frame, FrameLease? lease, DateTimeOffset? timestamp)
    {
        var time = timestamp ?? _timeProvider.GetUtcNow();
        TaskCompletionSource toComplete;
        RingbufferEntry? evicted;
        lock (_gate)
        {
            var index = (_newest?.Index ?? -1) + 1;

            // Count the frame before publishing it, so FramesAdded is never behind NewestFrame: a reader that
            // has been given this frame and then asks for the next one must not be given this frame again.
            var sequence = Interlocked.Increment(ref _framesAdded);
            var entry = new RingbufferEntry(frame, time, index) { Sequence = sequence, Lease = lease };
            var slot = index % _ring.Length;
            evicted = _ring[slot];
            _ring[slot] = entry;
            Volatile.Write(ref _newest, entry);
            toComplete = SwapSignal();
        }

        // The ring's reference to the frame that fell out; its buffer goes back to the pool unless a reader holds it.
        evicted?.Lease?.Release();
        Wake(toComplete);
    }

    /// <summary>Discards every frame and restarts frame indices at 0; also restarts a stopped stream.</summary>
    /// <param name="ringbufferSize">A new ring buffer size (at least 1), or null to keep the current one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ringbufferSize"/> is less than 1.</exception>
    public void Reset(int? ringbufferSize = null)
    {
        if (ringbufferSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(ringbufferSize));
        }

        RingbufferEntry?[] dropped;
        lock (_gate)
        {
            dropped = _ring;
            _ring = new RingbufferEntry?[ringbufferSize ?? _ring.Length];

            // A fresh pool: arrays kept for frames of the old size (or ring) are left to the garbage collector.
            Volatile.Write(ref _copies, NewCopyPool(_ring.Length));
            Volatile.Write(ref _newest, null);
            Volatile.Write(ref _stopped, false);
        }

        foreach (var entry in dropped)
        {
            entry?.Lease?.Release();
        }
    }

    /// <summary>
    /// Stops the stream: every waiting reader is released, and so is every reader that starts later, until
    /// <see cref="Reset"/>. <see cref="ReadFramesAsync"/> and <see cref="WriteMultipartAsync"/> end normally; the
    /// single-frame waits throw <see cref="MjpegStreamStoppedException"/>. Waiters are woken on the thread pool,
    /// shortly after this returns; a <see cref="Reset"/> straight after does not keep them waiting.
    /// </summary>
    public void Stop()
    {
        TaskCompletionSource toComplete;
        lock (_gate)
        {
            // Readers waiting now compare this count with the one they started with, so they end even if
            // Reset clears _stopped before they wake.
            Interlocked.Increment(ref _stopCount);
            Volatile.Write(ref _stopped, true);
            toComplete = SwapSignal();
        }

        Wake(toComplete);
    }

    /// <summary>Returns a frame still held in the ring buffer.</summary>
    /// <param name="index">The frame's index (see <see cref="RingbufferEntry.Index"/>).</param>
    /// <returns>The frame, its timestamp and its index.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    /// <exception cref="FrameOverwrittenException">The frame has been replaced by newer frames.</exception>
    /// <exception cref="FrameNotYetAcquiredException">The frame has not been added yet.</exception>
    public RingbufferEntry GetRingbufferEntry(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (_gate)
        {
            var last = _newest?.Index ?? -1;
            if (index > last)
            {
                throw new FrameNotYetAcquiredException(index, last);
            }

            var entry = _ring[index % _ring.Length];
            if (entry is null || entry.Index != index)
            {
                throw new FrameOverwrittenException(index, last, _ring.Length);
            }

            // The ring holds it, and only this lock lets it go: safe to hand out for good.
            entry.Lease?.Escape();
            return entry;
        }
    }

    /// <summary>Waits for the next frame to be added and returns its index.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The index of the first frame added after the call (or a newer one, if several arrive at once).</returns>
    /// <exception cref="MjpegStreamStoppedException">The stream is or becomes stopped.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<long> NextFrameAsync(CancellationToken cancellationToken = default)
        => (await NextEntryAsync(cancellationToken).ConfigureAwait(false)).Index;

    /// <summary>Waits for the next frame to be added and returns its JPEG bytes.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The frame's bytes; shared with other readers, so treat them as read-only.</returns>
    /// <exception cref="MjpegStreamStoppedException">The stream is or becomes stopped.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ReadOnlyMemory<byte>> GrabFrameAsync(CancellationToken cancellationToken = default)
        => (await NextEntryAsync(cancellationToken, handOut: true).ConfigureAwait(false)).Frame;

    /// <summary>Waits for the next frame and returns its size in bytes (JPEG size is a cheap sharpness metric for autofocus).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The size of the next frame in bytes.</returns>
    /// <exception cref="MjpegStreamStoppedException">The stream is or becomes stopped.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<int> NextFrameSizeAsync(CancellationToken cancellationToken = default)
        => (await NextEntryAsync(cancellationToken).ConfigureAwait(false)).Frame.Length;

    /// <summary>
    /// Yields frames as they arrive, starting with the next one. A consumer slower than the producer
    /// gets the newest frame each time and skips the ones in between.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The frames; the sequence ends (without an exception) when the stream is stopped.</returns>
    /// <remarks>The starting point is taken when enumeration starts (the first <c>MoveNextAsync</c>), not when this method is called.</remarks>
    public async IAsyncEnumerable<RingbufferEntry> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stops = Interlocked.Read(ref _stopCount);
        var seen = FramesAdded;
        while (await WaitForFrameAfterAsync(seen, stops, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (!HandOut(entry))
            {
                continue; // released just now: a newer frame is there
            }

            seen = entry.Sequence;
            yield return entry;
        }
    }

    /// <summary>
    /// Waits until a frame newer than <paramref name="seenSequence"/> exists; null if the stream is stopped,
    /// or has been stopped since the caller read <paramref name="stopCount"/> (even if it was reset since).
    /// </summary>
    internal async ValueTask<RingbufferEntry?> WaitForFrameAfterAsync(long seenSequence, long stopCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (NewerFrame(seenSequence, stopCount, out var signal) is { } newest)
            {
                return newest;
            }

            if (signal is null)
            {
                return null;
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The newest frame if it is newer than <paramref name="seenSequence"/>. Otherwise null, with the signal a newer frame
    /// or a stop will complete, or with no signal if the stream is stopped or has been stopped since the caller read
    /// <paramref name="stopCount"/>.
    /// </summary>
    private RingbufferEntry? NewerFrame(long seenSequence, long stopCount, out TaskCompletionSource? signal)
    {
        // Read the signal before the state: a frame published after this read completes this signal.
        signal = Volatile.Read(ref _signal);
        if (Volatile.Read(ref _stopped) || Interlocked.Read(ref _stopCount) != stopCount)
        {
            signal = null;
            return null;
        }

        var newest = Volatile.Read(ref _newest);
        return newest is not null && newest.Sequence > seenSequence ? newest : null;
    }

    /// <summary>Waits for the next frame; <paramref name="handOut"/> if the caller keeps its bytes (not just its index or size).</summary>
    private async Task<RingbufferEntry> NextEntryAsync(CancellationToken cancellationToken, bool handOut = false)
    {
        var seen = FramesAdded;
        var stops = Interlocked.Read(ref _stopCount);
        while (true)
        {
            var entry = await WaitForFrameAfterAsync(seen, stops, cancellationToken).ConfigureAwait(false)
                        ?? throw new MjpegStreamStoppedException();
            if (!handOut || HandOut(entry))
            {
                return entry;
            }
        }
    }

    /// <summary>
    /// Prepares a frame for code that may keep it: a pooled frame is marked so its buffer is never reused. False if the
    /// buffer has been released already (the frame left the ring and nobody held it): take a newer frame instead.
    /// </summary>
    private static bool HandOut(RingbufferEntry entry)
    {
        if (entry.Lease is not { } lease)
        {
            return true;
        }

        if (!lease.TryAcquire())
        {
            return false;
        }

        lease.Escape();
        lease.Release();
        return true;
    }

    private static void ValidateJpeg(ReadOnlySpan<byte> data, string paramName)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8 || data[^2] != 0xFF || data[^1] != 0xD9)
        {
            throw new ArgumentException(
                $"Not a complete JPEG image: a frame must start with FF D8 and end with FF D9 (got {data.Length} bytes).",
                paramName);
        }
    }

    private TaskCompletionSource SwapSignal()
    {
        var old = _signal;
        Volatile.Write(ref _signal, NewSignal());
        return old;
    }

    // Completing the signal runs every waiter's continuation; do it on the thread pool so the
    // producer's cost does not grow with the number of readers.
    private static void Wake(TaskCompletionSource signal)
        => ThreadPool.UnsafeQueueUserWorkItem(static s => s.TrySetResult(), signal, preferLocal: false);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
