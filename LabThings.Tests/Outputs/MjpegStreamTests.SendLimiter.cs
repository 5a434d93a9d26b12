using System.IO.Pipelines;
using LabThings.Outputs;
using LabThings.Tests.Support;
using FakeClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace LabThings.Tests.Outputs;

/// <summary>
/// The writer with a <see cref="StreamSendLimiter"/>: at most N parts in flight, a waiting writer takes the newest
/// frame when its turn comes, and a part nobody reads gives its slot back after the hold time.
/// </summary>
public partial class MjpegStreamTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(100);
    private const int LimitedFrameBytes = 4096;

    /// <summary>A connection that takes 1 KiB and then makes the writer wait until the test reads.</summary>
    private static Pipe Narrow() => new(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512, useSynchronizationContext: false));

    /// <summary>How many bytes are waiting to be read, without consuming them.</summary>
    private static long Buffered(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return 0;
        }

        reader.AdvanceTo(result.Buffer.Start);
        return result.Buffer.Length;
    }

    /// <summary>Starts a client whose first part takes the only slot of <paramref name="limiter"/>, and waits until it has.</summary>
    private static async Task<Task> StartHoldingTheOnlySlotAsync(MjpegStream stream, Pipe connection, StreamSendLimiter limiter, CancellationToken cancellationToken)
    {
        var writing = stream.WriteMultipartCoreAsync(connection.Writer, pacer: null, limiter, cancellationToken);
        (await Eventually.TrueAsync(() => limiter.Available == 0)).Should().BeTrue("the first client's part is in flight");
        return writing;
    }

    /// <summary>Gives the writers time to do what they should not: write while they wait for a slot.</summary>
    private static Task Settle() => Task.Delay(150);

    [Fact]
    public async Task Limiter_OneSlot_SecondClientGetsItsPartOnlyOnceTheFirstPartIsTaken()
    {
        var clock = new FakeClock();
        var limiter = new StreamSendLimiter(1, Hold, clock);
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, LimitedFrameBytes));
        var first = Narrow();
        var second = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);

        var writingFirst = await StartHoldingTheOnlySlotAsync(stream, first, limiter, timeout.Token);
        var writingSecond = stream.WriteMultipartCoreAsync(second.Writer, pacer: null, limiter, timeout.Token);
        var secondBody = new MultipartBodyReader(second.Reader, timeout.Token);
        await secondBody.ReadOpeningBoundaryAsync();
        await Settle();
        Buffered(second.Reader).Should().Be(0, "the second client waits for the only slot");

        // The first client reads its part: the flush completes and the slot passes on (no time has passed).
        var firstBody = new MultipartBodyReader(first.Reader, timeout.Token);
        await firstBody.ReadOpeningBoundaryAsync();
        (await firstBody.ReadPartAsync()).Should().Equal(Jpeg(1, LimitedFrameBytes));
        (await secondBody.ReadPartAsync()).Should().Equal(Jpeg(1, LimitedFrameBytes));

        stream.Stop();
        await Task.WhenAll(writingFirst, writingSecond).WaitAsync(WaitLimit);
        limiter.Available.Should().Be(1, "every slot taken was given back");
    }

    [Fact]
    public async Task Limiter_APartNobodyReads_GivesItsSlotBackAfterTheHoldTime()
    {
        var clock = new FakeClock();
        var limiter = new StreamSendLimiter(1, Hold, clock);
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, LimitedFrameBytes));
        var stuck = Narrow();
        var other = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);

        var writingStuck = await StartHoldingTheOnlySlotAsync(stream, stuck, limiter, timeout.Token);
        var writingOther = stream.WriteMultipartCoreAsync(other.Writer, pacer: null, limiter, timeout.Token);
        var body = new MultipartBodyReader(other.Reader, timeout.Token);
        await body.ReadOpeningBoundaryAsync();
        await Settle();
        Buffered(other.Reader).Should().Be(0, "within the hold time the unread part keeps its slot");

        // The slot is held between one and two hold periods of the shared timer.
        clock.Advance(Hold);
        clock.Advance(Hold);
        (await body.ReadPartAsync()).Should().Equal(Jpeg(1, LimitedFrameBytes), "a client that does not read cannot hold the others up");
        stream.AddFrame(Jpeg(2, LimitedFrameBytes));
        (await body.ReadPartAsync()).Should().Equal(Jpeg(2, LimitedFrameBytes), "the other client goes on while the stuck one still has not read");

        stream.Stop();
        await writingOther.WaitAsync(WaitLimit);
        await stuck.Reader.CompleteAsync(); // the stuck client goes away
        await writingStuck.WaitAsync(WaitLimit);
        limiter.Available.Should().Be(1);
    }

    [Fact]
    public async Task Limiter_AWaitingClient_GetsTheNewestFrameWhenItsTurnComes()
    {
        var limiter = new StreamSendLimiter(1, Hold, new FakeClock());
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, LimitedFrameBytes));
        var first = Narrow();
        var waiting = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);

        var writingFirst = await StartHoldingTheOnlySlotAsync(stream, first, limiter, timeout.Token);
        var writingWaiting = stream.WriteMultipartCoreAsync(waiting.Writer, pacer: null, limiter, timeout.Token);
        var body = new MultipartBodyReader(waiting.Reader, timeout.Token);
        await body.ReadOpeningBoundaryAsync();
        await Settle();
        stream.AddFrame(Jpeg(2, LimitedFrameBytes));
        stream.AddFrame(Jpeg(3, LimitedFrameBytes));

        var firstBody = new MultipartBodyReader(first.Reader, timeout.Token);
        await firstBody.ReadOpeningBoundaryAsync();
        (await firstBody.ReadPartAsync()).Should().Equal(Jpeg(1, LimitedFrameBytes));
        IdOf(await body.ReadPartAsync()).Should().Be(3, "a client that waited for its turn skips to the newest frame, as a slow one does");

        stream.Stop();
        await first.Reader.CompleteAsync(); // the first client, now stuck in frame 3, goes away
        await Task.WhenAll(writingFirst, writingWaiting).WaitAsync(WaitLimit);
        limiter.Available.Should().Be(1);
    }

    [Fact]
    public async Task Limiter_StopOrCancelWhileWaiting_EndsTheResponseWithoutAPartAndLeaksNoSlot()
    {
        var clock = new FakeClock();
        var limiter = new StreamSendLimiter(1, Hold, clock);
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, LimitedFrameBytes));
        var first = Narrow();
        var stopped = new Pipe();
        var cancelled = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var writingFirst = await StartHoldingTheOnlySlotAsync(stream, first, limiter, timeout.Token);
        var writingStopped = stream.WriteMultipartCoreAsync(stopped.Writer, pacer: null, limiter, timeout.Token);
        var writingCancelled = stream.WriteMultipartCoreAsync(cancelled.Writer, pacer: null, limiter, cancel.Token);
        await Settle();

        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => writingCancelled.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();

        stream.Stop();
        clock.Advance(Hold);
        clock.Advance(Hold); // the first part's slot comes back; the stopped client takes it and ends without a part
        await writingStopped.WaitAsync(WaitLimit);
        await stopped.Writer.CompleteAsync();
        (await ReadToEndAsync(stopped.Reader, timeout.Token)).Should().Equal(Ascii("--frame\r\n"));

        await first.Reader.CompleteAsync();
        await writingFirst.WaitAsync(WaitLimit);
        limiter.Available.Should().Be(1, "no slot is lost to a cancelled wait, a stop or a client that went away");
    }

    [Fact]
    public async Task Limiter_ManyClientsReadingAtRandomPaces_AllGetTheirFramesAndNoSlotIsLost()
    {
        const int Slots = 3;
        const int Clients = 12;
        var limiter = new StreamSendLimiter(Slots, Hold, TimeProvider.System);
        var stream = new MjpegStream();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var pipes = Enumerable.Range(0, Clients).Select(_ => Narrow()).ToArray();
        var writers = pipes.Select(p => stream.WriteMultipartCoreAsync(p.Writer, pacer: null, limiter, timeout.Token)).ToArray();
        var readers = pipes.Select((p, i) => Task.Run(async () =>
        {
            var body = new MultipartBodyReader(p.Reader, timeout.Token);
            await body.ReadOpeningBoundaryAsync();
            var last = 0;
            var random = new Random(i);
            while (last < 20)
            {
                var id = IdOf(await body.ReadPartAsync());
                id.Should().BeGreaterThan(last, "frames arrive newest-first and never twice");
                last = id;
                await Task.Delay(random.Next(0, 3));
            }
        })).ToArray();

        for (var id = 1; !readers.All(r => r.IsCompleted); id++)
        {
            stream.AddFrame(Jpeg(id, LimitedFrameBytes));
            await Task.Delay(2);
            timeout.Token.ThrowIfCancellationRequested();
        }

        await Task.WhenAll(readers);
        stream.Stop();
        foreach (var pipe in pipes)
        {
            await pipe.Reader.CompleteAsync();
        }

        await Task.WhenAll(writers).WaitAsync(WaitLimit);
        limiter.Available.Should().Be(Slots, "every slot taken was given back");
    }

    [Fact]
    public async Task Limiter_AClientWhosePartOutlastedTheHold_SendsItsNextPartWithoutWaitingForASlot()
    {
        var clock = new FakeClock();
        var limiter = new StreamSendLimiter(1, Hold, clock);
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, LimitedFrameBytes));
        var slow = Narrow();
        var stuck = Narrow();
        using var timeout = new CancellationTokenSource(WaitLimit);

        // The slow client's first part is not read within the hold time, so its slot goes to the other client,
        // whose part is never read: that client now holds the only slot.
        var writingSlow = await StartHoldingTheOnlySlotAsync(stream, slow, limiter, timeout.Token);
        var writingStuck = stream.WriteMultipartCoreAsync(stuck.Writer, pacer: null, limiter, timeout.Token);
        await Settle();
        clock.Advance(Hold);
        clock.Advance(Hold);
        var stuckBody = new MultipartBodyReader(stuck.Reader, timeout.Token);
        await stuckBody.ReadOpeningBoundaryAsync();
        (await Eventually.TrueAsync(() => Buffered(stuck.Reader) > 0 && limiter.Available == 0)).Should().BeTrue("the stuck client took the slot");

        // Now the slow client reads: its next part goes out at once, though the only slot is held and no time passes.
        var slowBody = new MultipartBodyReader(slow.Reader, timeout.Token);
        await slowBody.ReadOpeningBoundaryAsync();
        IdOf(await slowBody.ReadPartAsync()).Should().Be(1);
        stream.AddFrame(Jpeg(2, LimitedFrameBytes));
        IdOf(await slowBody.ReadPartAsync()).Should().Be(2, "a client that was slow does not queue for a slot");
        limiter.Available.Should().Be(0, "the stuck client still holds the slot");

        stream.Stop();
        await slow.Reader.CompleteAsync();
        await stuck.Reader.CompleteAsync();
        await Task.WhenAll(writingSlow, writingStuck).WaitAsync(WaitLimit);
        limiter.Available.Should().Be(1);
    }

    [Fact]
    public async Task Limiter_HoldTime_IsAtLeastOnePeriodAndStillWorksAfterTheSharedTimerWentIdle()
    {
        var clock = new FakeClock();
        var limiter = new StreamSendLimiter(1, Hold, clock);
        var hold = new StreamSendLimiter.SlotHold();
        using var timeout = new CancellationTokenSource(WaitLimit);
        for (var round = 0; round < 2; round++)
        {
            var (neverTaken, flushing) = await EnterAndFlushAsync(limiter, hold, timeout.Token);

            clock.Advance(Hold);
            await Settle();
            limiter.Available.Should().Be(0, "a part keeps its slot for at least the hold time");
            clock.Advance(Hold);
            (await Eventually.TrueAsync(() => limiter.Available == 1)).Should().BeTrue("and no longer than twice the hold time");
            flushing.IsCompleted.Should().BeFalse("the flush itself is still waiting for the client");

            neverTaken.SetResult(new FlushResult(isCanceled: false, isCompleted: true));
            (await flushing.WaitAsync(WaitLimit)).IsCompleted.Should().BeTrue("the flush's own result comes through");

            // Long enough with no part in flight for the shared timer to stop; the next round needs it again.
            clock.Advance(Hold * 10);
        }

        limiter.Available.Should().Be(1);
    }

    [Fact]
    public async Task Limiter_ADeadlineOfAnEarlierPart_DoesNotGiveBackTheSlotOfTheWritersNextPart()
    {
        var clock = new FakeClock();
        var limiter = new StreamSendLimiter(1, Hold, clock);
        var hold = new StreamSendLimiter.SlotHold();
        using var timeout = new CancellationTokenSource(WaitLimit);

        var (first, firstFlush) = await EnterAndFlushAsync(limiter, hold, timeout.Token);
        clock.Advance(Hold);
        await Settle();
        first.SetResult(new FlushResult(isCanceled: false, isCompleted: false));
        await firstFlush.WaitAsync(WaitLimit);
        limiter.Available.Should().Be(1, "the first part's flush gave its slot back before its deadline");

        // The same writer's next part, with a deadline one tick after the first part's.
        var (second, secondFlush) = await EnterAndFlushAsync(limiter, hold, timeout.Token);
        clock.Advance(Hold);
        await Settle();
        limiter.Available.Should().Be(0, "the deadline that came due was the first part's, whose slot had gone back already");
        clock.Advance(Hold);
        (await Eventually.TrueAsync(() => limiter.Available == 1)).Should().BeTrue("the second part's own deadline gives its slot back");

        second.SetResult(new FlushResult(isCanceled: false, isCompleted: true));
        (await secondFlush.WaitAsync(WaitLimit)).IsCompleted.Should().BeTrue();
        limiter.Available.Should().Be(1, "a slot is given back once, whoever comes first");
    }

    [Fact]
    public async Task Limiter_WaitersGetSlotsInTurn_ACancelledWaiterIsSkippedAndTakesNone()
    {
        var limiter = new StreamSendLimiter(1, Hold, new FakeClock());
        await limiter.EnterAsync(new StreamSendLimiter.SlotHold(), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var first = limiter.EnterAsync(new StreamSendLimiter.SlotHold(), CancellationToken.None).AsTask();
        var second = limiter.EnterAsync(new StreamSendLimiter.SlotHold(), cancel.Token).AsTask();
        var third = limiter.EnterAsync(new StreamSendLimiter.SlotHold(), CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => second.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();
        first.IsCompleted.Should().BeFalse("the only slot is taken");

        limiter.Exit();
        await first.WaitAsync(WaitLimit);
        await Settle();
        third.IsCompleted.Should().BeFalse("the first waiter came first, and the slot went to it");

        limiter.Exit();
        await third.WaitAsync(WaitLimit);
        limiter.Available.Should().Be(0, "the cancelled waiter took no slot, so the slot went on to the third");
        limiter.Exit();
        limiter.Available.Should().Be(1);
        FluentActions.Invoking(limiter.Exit).Should().Throw<InvalidOperationException>("a slot given back twice is a bug, not a second slot");
    }

    /// <summary>Takes a slot with <paramref name="hold"/> and starts a flush that holds it until the returned source completes.</summary>
    private static async Task<(TaskCompletionSource<FlushResult> Taken, Task<FlushResult> Flushing)> EnterAndFlushAsync(
        StreamSendLimiter limiter, StreamSendLimiter.SlotHold hold, CancellationToken cancellationToken)
    {
        await limiter.EnterAsync(hold, cancellationToken);
        var taken = new TaskCompletionSource<FlushResult>();
        return (taken, limiter.FlushAndExitAsync(new ValueTask<FlushResult>(taken.Task), hold).AsTask());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Limiter_WithoutASlot_IsRefused(int count)
    {
        FluentActions.Invoking(() => new StreamSendLimiter(count, Hold, TimeProvider.System))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("slots");
    }
}
