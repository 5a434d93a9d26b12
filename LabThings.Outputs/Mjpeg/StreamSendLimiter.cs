using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

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
internal sealed class StreamSendLimiter
{
    private readonly Lock _gate = new();
    private readonly Queue<(SlotHold Hold, long Waiting)> _waiters = new(); // first come, first served; cancelled ones are skipped
    private readonly int _slots;
    private int _free;
    private readonly CoarseDeadlines _deadlines;

    /// <param name="slots">Parts in flight at once; at least 1.</param>
    /// <param name="hold">The longest a part keeps its slot (between this and twice this, on a shared coarse timer).</param>
    /// <param name="time">The clock.</param>
    public StreamSendLimiter(int slots, TimeSpan hold, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hold, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        _slots = slots;
        _free = slots;
        _deadlines = new CoarseDeadlines(hold, time, this);
        Time = time;
        Hold = hold;
    }

    /// <summary>How long a part may keep its slot in the server: 100 ms, a few frame intervals of a fast client under load.</summary>
    public static TimeSpan DefaultHold { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Slots free now.</summary>
    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _free;
            }
        }
    }

    /// <summary>The limiter's clock, which also times the flushes compared with <see cref="Hold"/>.</summary>
    public TimeProvider Time { get; }

    /// <summary>
    /// The longest a part keeps its slot. A client whose part took longer than this to be taken does not wait for a slot
    /// for its next part: it would only hold one for this long while others wait, and what it holds in memory is its own
    /// until it reads. It takes slots again once a part goes out within this time.
    /// </summary>
    public TimeSpan Hold { get; }

    /// <summary>
    /// Waits for a slot (first come, first served). The caller must give it back once: <see cref="Exit"/> or
    /// <see cref="FlushAndExitAsync"/>. A wait allocates nothing: it is <paramref name="hold"/>'s, the writer's own.
    /// </summary>
    /// <param name="hold">The writer's hold; it waits for one slot at a time.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>; no slot is taken then.</param>
    public ValueTask EnterAsync(SlotHold hold, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        long waiting;
        lock (_gate)
        {
            if (_free > 0)
            {
                _free--;
                return default;
            }

            waiting = hold.BeginWait();
            _waiters.Enqueue((hold, waiting));
        }

        return hold.WaitAsync(waiting, cancellationToken);
    }

    /// <summary>Gives a slot back: to the longest-waiting writer if there is one.</summary>
    /// <exception cref="InvalidOperationException">More slots were given back than taken (a bug in the caller).</exception>
    public void Exit()
    {
        while (true)
        {
            (SlotHold Hold, long Waiting) next;
            lock (_gate)
            {
                if (!_waiters.TryDequeue(out next))
                {
                    if (_free >= _slots)
                    {
                        throw new InvalidOperationException("A send slot was given back that was not taken.");
                    }

                    _free++;
                    return;
                }
            }

            // A waiter cancelled meanwhile does not take it: the next one does.
            if (next.Hold.TryGrant(next.Waiting))
            {
                return;
            }
        }
    }

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
    /// A writer's own state with the limiter, reused for each of its parts so that the limiter allocates nothing per
    /// part: its wait for a slot, and the slot of the part it is sending, which is given back exactly once, by the
    /// writer when the flush completes or by the deadline, whichever comes first.
    /// </summary>
    internal sealed class SlotHold : IValueTaskSource
    {
        private const long Waiting = 1;
        private const long Granted = 2;
        private const long Cancelled = 3;

        private ManualResetValueTaskSourceCore<bool> _wait = new() { RunContinuationsAsynchronously = true };
        private long _waitState; // (wait number << 2) | Waiting, Granted or Cancelled
        private CancellationTokenRegistration _cancellation;
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

        /// <summary>Starts a wait for a slot (under the limiter's lock); returns its state while waiting.</summary>
        internal long BeginWait()
        {
            _wait.Reset();
            var waiting = ((long)_wait.Version << 2) | Waiting;
            Volatile.Write(ref _waitState, waiting);
            return waiting;
        }

        /// <summary>The wait begun by <see cref="BeginWait"/>, ended by a slot or by <paramref name="cancellationToken"/>.</summary>
        internal ValueTask WaitAsync(long waiting, CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((SlotHold)state!).Cancel(token), this);
            }

            return new ValueTask(this, (short)(waiting >> 2));
        }

        /// <summary>Gives this writer the slot, if it is still waiting with this wait.</summary>
        internal bool TryGrant(long waiting)
        {
            if (Interlocked.CompareExchange(ref _waitState, (waiting & ~3L) | Granted, waiting) != waiting)
            {
                return false;
            }

            _wait.SetResult(true);
            return true;
        }

        private void Cancel(CancellationToken token)
        {
            var waiting = Volatile.Read(ref _waitState);
            if ((waiting & 3L) == Waiting && Interlocked.CompareExchange(ref _waitState, (waiting & ~3L) | Cancelled, waiting) == waiting)
            {
                _wait.SetException(new OperationCanceledException(token));
            }
        }

        void IValueTaskSource.GetResult(short token)
        {
            try
            {
                _wait.GetResult(token);
            }
            finally
            {
                _cancellation.Dispose();
                _cancellation = default;
            }
        }

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wait.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _wait.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>
    /// One timer for any number of deadlines: a hold added now has its slot given back at the second tick from now,
    /// between one and two periods later, unless its writer gave it back first. The timer runs only while holds are added.
    /// </summary>
    private sealed class CoarseDeadlines(TimeSpan period, TimeProvider time, StreamSendLimiter slots)
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

            // A writer given a slot here resumes on the thread pool (its wait completes asynchronously), not on the timer.
            foreach (var (hold, ticket) in due)
            {
                if (hold.TryRelease(ticket))
                {
                    slots.Exit();
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
