using System.IO.Pipelines;
using System.Text;
using LabThings.Outputs;
using LabThings.Server.Endpoints;

namespace LabThings.Tests.Server.Endpoints;

/// <summary>
/// The slow-client pacer against a scripted connection in virtual time: what it waits for, what it sends while waiting,
/// and when it lets a client go. The wire behaviour is in Integration/MjpegPacingTests.
/// </summary>
public sealed class SlowClientPacerTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(200);
    private const int PartBytes = 100_000;
    private static readonly byte[] NextPartStart = Encoding.ASCII.GetBytes("Content-Type: image/jpeg\r\nContent-Length: ");

    [Fact]
    public async Task FastClient_ReadsItsFirstPartAtOnce_IsLetGoAndNotProbedAgain()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.Zero };
        var pacer = new SlowClientPacer(connection, Threshold, clock);
        pacer.IsPacing.Should().BeTrue("every connection starts paced, so a slow client's second frame is fresh");

        var sent = await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromMilliseconds(2), static () => false, default);

        sent.Should().Be(0, "the client's window was back at its largest at the first reading: no probe needed");
        pacer.IsPacing.Should().BeFalse();
        var readings = connection.Readings;
        for (var i = 0; i < 10; i++)
        {
            (await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromMilliseconds(20), static () => false, default)).Should().Be(0);
        }

        connection.Readings.Should().Be(readings, "a fast client's connection is not read after each part");
        clock.Elapsed.Should().Be(TimeSpan.Zero, "nothing waited");
    }

    [Fact]
    public async Task SlowClient_WaitsUntilTheClientHasReadEverything_ProbingWithTheNextHeader()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.FromSeconds(1.5) };
        var pacer = new SlowClientPacer(connection, Threshold, clock);

        var sent = await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(1), static () => false, default);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5), "the next frame is chosen only once the client has read the last");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1.7), "and promptly then");
        sent.Should().BePositive("the client's kernel re-advertises its window only when it gets data");
        connection.Written.Should().Equal(NextPartStart.Take(sent), "the probes are the next part's header, in order");
        pacer.IsPacing.Should().BeTrue();
    }

    [Fact]
    public async Task PartNotYetAcknowledged_IsWaitedFor_EvenWhileTheWindowStillLooksOpen()
    {
        // Right after the flush the part may still be in the server's own buffers: the window is the one from before
        // it, full, but the client has not even received the part.
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.Zero, AcknowledgedAt = TimeSpan.FromMilliseconds(300) };
        var pacer = new SlowClientPacer(connection, Threshold, clock);

        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromMilliseconds(1), static () => false, default);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task SlowClient_WithoutProbes_WouldNeverSeeTheWindowReopen()
    {
        // The same client with no bytes left to probe with: the window stays where it was, and the pacer gives up
        // after MaxWait rather than waiting for ever.
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.FromSeconds(1.5) };
        var pacer = new SlowClientPacer(connection, Threshold, clock);

        var sent = await pacer.AfterPartAsync(connection.Writer, ReadOnlyMemory<byte>.Empty, PartBytes, TimeSpan.FromSeconds(1), static () => false, default);

        sent.Should().Be(0);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(SlowClientPacer.MaxWait);
        clock.Elapsed.Should().BeLessThanOrEqualTo(SlowClientPacer.MaxWait + SlowClientPacer.MaxPollInterval);
    }

    [Fact]
    public async Task ClientThatNeverReads_GivesUpAfterMaxWait_AndAfterTwoTakesTheWindowItShowsAsItsLargest()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.MaxValue };
        var pacer = new SlowClientPacer(connection, Threshold, clock);

        for (var round = 1; round <= 2; round++)
        {
            var started = clock.Elapsed;
            await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(1), static () => false, default);
            (clock.Elapsed - started).Should().BeGreaterThanOrEqualTo(SlowClientPacer.MaxWait);
        }

        // Its buffer shrank for good (say): the window it shows now counts as "empty" from here on.
        var before = clock.Elapsed;
        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(1), static () => false, default);
        (clock.Elapsed - before).Should().BeLessThan(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task SlowClient_ThatKeepsUpAgain_IsLetGoAfterThreeQuickParts()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.FromSeconds(1) };
        var pacer = new SlowClientPacer(connection, Threshold, clock);
        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(1), static () => false, default);
        pacer.IsPacing.Should().BeTrue();

        connection.EmptyAt = TimeSpan.Zero; // from now on it reads everything at once
        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromMilliseconds(5), static () => false, default);
        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromMilliseconds(5), static () => false, default);
        pacer.IsPacing.Should().BeTrue("two quick parts are not yet enough");
        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromMilliseconds(5), static () => false, default);
        pacer.IsPacing.Should().BeFalse();
    }

    [Fact]
    public async Task ConnectionWhoseStateCannotBeRead_IsNeverPaced()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.MaxValue, Readable = false };
        var pacer = new SlowClientPacer(connection, Threshold, clock);

        pacer.IsPacing.Should().BeFalse();
        (await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(3), static () => false, default)).Should().Be(0);
        clock.Elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public async Task StreamStopping_EndsTheWait()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.MaxValue };
        var pacer = new SlowClientPacer(connection, Threshold, clock);

        await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(1), () => clock.Elapsed >= TimeSpan.FromSeconds(1), default);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1.1), "a stopped stream's responses end without waiting out a slow client");
    }

    [Fact]
    public async Task Cancellation_EndsTheWait()
    {
        var clock = new VirtualClock();
        var connection = new ScriptedConnection(clock) { EmptyAt = TimeSpan.MaxValue };
        var pacer = new SlowClientPacer(connection, Threshold, clock);
        using var cancel = new CancellationTokenSource();
        clock.OnAdvance = elapsed =>
        {
            if (elapsed >= TimeSpan.FromSeconds(1))
            {
                cancel.Cancel();
            }
        };

        var wait = async () => await pacer.AfterPartAsync(connection.Writer, NextPartStart, PartBytes, TimeSpan.FromSeconds(1), static () => false, cancel.Token);

        await wait.Should().ThrowAsync<OperationCanceledException>();
        clock.Elapsed.Should().BeLessThan(SlowClientPacer.MaxWait);
    }

    /// <summary>
    /// A connection as the Linux kernel shows it: everything sent is delivered at once; the client's buffer empties at
    /// <see cref="EmptyAt"/>; the window the server sees is refreshed only when the client gets new data (a probe), as
    /// a receiver re-advertises it, and is the full window only once the buffer is empty.
    /// </summary>
    private sealed class ScriptedConnection : ITcpSendProbe
    {
        private const uint FullWindow = 94_826;
        private const uint PartlyOpenWindow = 57_312;
        private readonly VirtualClock _clock;
        private readonly MemoryStream _written = new();
        private uint _window = FullWindow; // as at the connection's start
        private long _lengthSeen;
        private bool _started;

        public ScriptedConnection(VirtualClock clock)
        {
            _clock = clock;
            Writer = PipeWriter.Create(_written);
        }

        public TimeSpan EmptyAt { get; set; }

        /// <summary>Until then the client's kernel has acknowledged nothing of what was written.</summary>
        public TimeSpan AcknowledgedAt { get; init; }

        public bool Readable { get; init; } = true;

        public PipeWriter Writer { get; }

        public int Readings { get; private set; }

        public byte[] Written => _written.ToArray();

        public bool TryRead(out TcpSendState state)
        {
            Readings++;
            state = default;
            if (!Readable)
            {
                return false;
            }

            if (!_started)
            {
                _started = true; // the pacer's first reading, at the connection's start
                state = new TcpSendState(0, 0, _window, 0);
                return true;
            }
            else if (Readings == 2 || _written.Length != _lengthSeen)
            {
                // A part has just been sent (the first reading after it), or a probe arrived: the client answers with
                // its window as it is now.
                _lengthSeen = _written.Length;
                _window = _clock.Elapsed >= EmptyAt ? FullWindow : PartlyOpenWindow;
            }

            var acknowledged = _started && _clock.Elapsed >= AcknowledgedAt ? 1_000_000_000UL : 0UL;
            state = new TcpSendState(0, 0, _window, acknowledged);
            return true;
        }
    }

    /// <summary>Time that passes only when the code under test waits: a delay completes at once, moving the clock.</summary>
    private sealed class VirtualClock : TimeProvider
    {
        private long _ticks;

        public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

        public Action<TimeSpan>? OnAdvance { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var elapsed = TimeSpan.FromTicks(Interlocked.Add(ref _ticks, dueTime.Ticks));
            OnAdvance?.Invoke(elapsed);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
