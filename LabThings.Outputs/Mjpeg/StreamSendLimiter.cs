using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace LabThings.Outputs;

/// <summary>
/// Bounds how many MJPEG parts are being handed to connections at once, across every stream that shares it.
/// </summary>
/// <remarks>
/// <para>
/// A part being sent holds a copy of its frame in the connection's output buffer until the socket has taken it. When a
/// new frame arrives, every client's writer wakes at once; unbounded, hundreds of connections each copied the frame
/// before any of them had sent much of it, and those copies were most of a busy server's memory (and, spread over
/// more memory than the processor's caches hold, slower to send). With a limiter a writer first waits for a slot,
/// then takes the newest frame: a client that waits skips frames rather than falling behind, as a slow client does.
/// </para>
/// <para>
/// A slot is given back when the connection has taken the part (the flush completed) or after the hold time,
/// whichever comes first, so clients that do not read cannot keep the others waiting; past that time their copies
/// are simply not counted. A client whose part outlasted the hold sends its next part without a slot, until it keeps
/// up again, so slow clients do not queue for slots at all.
/// </para>
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "SemaphoreSlim needs disposing only once its AvailableWaitHandle has been read, which this class never does.")]
internal sealed class StreamSendLimiter
{
    private readonly SemaphoreSlim _slots;
    private readonly CoarseDeadlines _deadlines;

    /// <param name="slots">Parts in flight at once; at least 1.</param>
    /// <param name="hold">The longest a part keeps its slot (between this and twice this, on a shared coarse timer).</param>
    /// <param name="time">The clock.</param>
    public StreamSendLimiter(int slots, TimeSpan hold, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hold, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _slots = new SemaphoreSlim(slots, slots);
        _deadlines = new CoarseDeadlines(hold, time, _slots);
        Time = time;
        Hold = hold;
    }

    /// <summary>How long a part may keep its slot in the server: 100 ms, a few frame intervals of a fast client under load.</summary>
    public static TimeSpan DefaultHold { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Slots free now.</summary>
    public int Available => _slots.CurrentCount;

    /// <summary>The limiter's clock, which also times the flushes compared with <see cref="Hold"/>.</summary>
    public TimeProvider Time { get; }

    /// <summary>
    /// The longest a part keeps its slot. A client whose part took longer than this to be taken does not wait for a slot
    /// for its next part: it would only hold one for this long while others wait, and what it holds in memory is its own
    /// until it reads. It takes slots again once a part goes out within this time.
    /// </summary>
    public TimeSpan Hold { get; }

    /// <summary>Waits for a slot (first come, first served). The caller must give it back once: <see cref="Exit"/> or <see cref="FlushAndExitAsync"/>.</summary>
    public Task EnterAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>Gives a slot back.</summary>
    public void Exit() => _slots.Release();

    /// <summary>
    /// Awaits a flush started while holding a slot, and gives the slot back when the flush completes or the hold time
    /// has passed, whichever is first. The flush's own outcome (result, cancellation, failure) is what this returns.
    /// </summary>
    /// <param name="flush">The flush.</param>
    /// <param name="hold">The writer's own <see cref="SlotHold"/>, reused for each of its parts: with it, giving the slot
    /// back at the deadline allocates nothing per part.</param>
    public ValueTask<FlushResult> FlushAndExitAsync(ValueTask<FlushResult> flush, SlotHold hold)
    {
        if (flush.IsCompleted)
        {
            Exit();
            return flush;
        }

        var ticket = hold.Take();
        _deadlines.Add(hold, ticket);
        return AwaitThenExitAsync(flush, hold, ticket);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> AwaitThenExitAsync(ValueTask<FlushResult> flush, SlotHold hold, long ticket)
    {
        try
        {
            return await flush.ConfigureAwait(false);
        }
        finally
        {
            if (hold.TryRelease(ticket))
            {
                Exit();
            }
        }
    }

    /// <summary>
    /// A writer's slot for the part it is sending, given back exactly once: by the writer when the flush completes, or
    /// by the deadline, whichever comes first. One per writer, reused for each part.
    /// </summary>
    internal sealed class SlotHold
    {
        private long _state; // (part number << 1) | 1 while the slot is held for that part; the low bit 0 once given back

        /// <summary>Marks the slot as held for the next part; returns that part's ticket.</summary>
        public long Take()
        {
            var ticket = (((Volatile.Read(ref _state) >> 1) + 1) << 1) | 1;
            Volatile.Write(ref _state, ticket);
            return ticket;
        }

        /// <summary>True for the one caller that gives the slot of this ticket's part back.</summary>
        public bool TryRelease(long ticket) => Interlocked.CompareExchange(ref _state, ticket & ~1L, ticket) == ticket;
    }

    /// <summary>
    /// One timer for any number of deadlines: a hold added now has its slot given back at the second tick from now,
    /// between one and two periods later, unless its writer gave it back first. The timer runs only while holds are added.
    /// </summary>
    private sealed class CoarseDeadlines(TimeSpan period, TimeProvider time, SemaphoreSlim slots)
    {
        private readonly Lock _gate = new();
        private List<(SlotHold Hold, long Ticket)> _next = [];
        private List<(SlotHold Hold, long Ticket)> _afterNext = [];
        private List<(SlotHold Hold, long Ticket)>? _spare = [];
        private ITimer? _timer;
        private int _generation; // of the running timer: a late tick of a stopped one is ignored
        private int _quietTicks;

        public void Add(SlotHold hold, long ticket)
        {
            lock (_gate)
            {
                _quietTicks = 0;
                if (_timer is null)
                {
                    _generation++;
                    _timer = time.CreateTimer(static state => ((TimerState)state!).Tick(), new TimerState(this, _generation), period, period);
                }

                _afterNext.Add((hold, ticket));
            }
        }

        private void Tick(int generation)
        {
            List<(SlotHold Hold, long Ticket)> due;
            lock (_gate)
            {
                if (generation != _generation || _timer is null)
                {
                    return;
                }

                due = _next;
                _next = _afterNext;
                _afterNext = _spare ?? [];
                _spare = null;

                // Two ticks with nothing added: every hold added has come due, so the timer can stop until the next one.
                if (++_quietTicks >= 2)
                {
                    _timer.Dispose();
                    _timer = null;
                }
            }

            // Waiting writers resume on the thread pool (SemaphoreSlim completes its waiters asynchronously), not here.
            foreach (var (hold, ticket) in due)
            {
                if (hold.TryRelease(ticket))
                {
                    slots.Release();
                }
            }

            due.Clear();
            lock (_gate)
            {
                _spare = due;
            }
        }

        private sealed class TimerState(CoarseDeadlines owner, int generation)
        {
            public void Tick() => owner.Tick(generation);
        }
    }
}
