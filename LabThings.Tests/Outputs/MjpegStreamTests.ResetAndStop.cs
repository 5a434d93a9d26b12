using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public partial class MjpegStreamTests
{
    // ---------------------------------------------------------------- Reset

    [Fact]
    public void Reset_AfterFrames_DiscardsFramesAndRestartsIndicesAtZero()
    {
        var stream = new MjpegStream(ringbufferSize: 5);
        for (var i = 0; i < 3; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        stream.Reset();

        stream.LastFrameIndex.Should().Be(-1);
        stream.NewestFrame.Should().BeNull();
        stream.RingbufferSize.Should().Be(5);
        FluentActions.Invoking(() => stream.GetRingbufferEntry(0)).Should().Throw<FrameNotYetAcquiredException>()
            .Which.LastFrameIndex.Should().Be(-1);

        stream.AddFrame(Jpeg(100));

        stream.LastFrameIndex.Should().Be(0);
        IdOf(stream.GetRingbufferEntry(0).Frame).Should().Be(100);
        FluentActions.Invoking(() => stream.GetRingbufferEntry(1)).Should().Throw<FrameNotYetAcquiredException>(
            "the old frame 1 was discarded, and must not be served as the new frame 1");
    }

    [Fact]
    public void Reset_AfterFrames_FramesAddedKeepsCountingAcrossReset()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));

        stream.Reset();
        stream.FramesAdded.Should().Be(2);
        stream.AddFrame(Jpeg(2));

        stream.FramesAdded.Should().Be(3);
        stream.LastFrameIndex.Should().Be(0);
    }

    [Fact]
    public void Reset_WithNewRingbufferSize_UsesTheNewSize()
    {
        var stream = new MjpegStream(ringbufferSize: 3);
        stream.AddFrame(Jpeg(0));

        stream.Reset(ringbufferSize: 6);

        stream.RingbufferSize.Should().Be(6);
        for (var i = 0; i < 6; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        for (var i = 0; i < 6; i++)
        {
            IdOf(stream.GetRingbufferEntry(i).Frame).Should().Be(i);
        }

        stream.AddFrame(Jpeg(6));
        FluentActions.Invoking(() => stream.GetRingbufferEntry(0)).Should().Throw<FrameOverwrittenException>();
    }

    [Fact]
    public void Reset_WithSmallerRingbufferSize_KeepsOnlyThatManyFrames()
    {
        var stream = new MjpegStream(ringbufferSize: 10);

        stream.Reset(ringbufferSize: 2);
        for (var i = 0; i < 4; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        stream.RingbufferSize.Should().Be(2);
        FluentActions.Invoking(() => stream.GetRingbufferEntry(1)).Should().Throw<FrameOverwrittenException>();
        IdOf(stream.GetRingbufferEntry(2).Frame).Should().Be(2);
        IdOf(stream.GetRingbufferEntry(3).Frame).Should().Be(3);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Reset_RingbufferSizeBelowOne_ThrowsAndLeavesStreamUnchanged(int size)
    {
        var stream = new MjpegStream(ringbufferSize: 4);
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));

        var act = () => stream.Reset(size);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ringbufferSize");
        stream.RingbufferSize.Should().Be(4);
        stream.LastFrameIndex.Should().Be(1);
        IdOf(stream.GetRingbufferEntry(0).Frame).Should().Be(0);
    }

    [Fact]
    public void Reset_StoppedStream_IsRunningAgain()
    {
        var stream = new MjpegStream();
        stream.Stop();
        stream.IsStopped.Should().BeTrue();

        stream.Reset();

        stream.IsStopped.Should().BeFalse();
    }

    [Fact]
    public async Task Reset_StoppedStream_WaitersWorkAgain()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.Stop();

        stream.Reset();
        var next = stream.NextFrameAsync();
        var grab = stream.GrabFrameAsync();
        stream.AddFrame(Jpeg(77, size: 30));

        (await next.WaitAsync(WaitLimit)).Should().Be(0);
        IdOf(await grab.WaitAsync(WaitLimit)).Should().Be(77);
    }

    [Fact]
    public async Task Reset_WhileReaderWaits_ReaderGetsTheFirstFrameAfterReset()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));
        var next = stream.NextFrameAsync();

        stream.Reset();
        stream.AddFrame(Jpeg(50));

        (await next.WaitAsync(WaitLimit)).Should().Be(0);
    }

    [Fact]
    public async Task Reset_DuringReadFramesAsync_EnumerationContinuesWithRestartedIndices()
    {
        var stream = new MjpegStream();
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));
        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        var before = frames.Current;

        stream.Reset();
        move = frames.MoveNextAsync().AsTask();
        stream.AddFrame(Jpeg(500));

        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        before.Index.Should().BeOneOf([0L, 1L], "the reader may wake between the two frames");
        frames.Current.Index.Should().Be(0);
        IdOf(frames.Current.Frame).Should().Be(500);

        await frames.DisposeAsync();
    }

    // ---------------------------------------------------------------- Stop

    [Fact]
    public void Stop_RunningStream_IsStoppedAndKeepsItsFrames()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));

        stream.Stop();

        stream.IsStopped.Should().BeTrue();
        stream.LastFrameIndex.Should().Be(0);
        IdOf(stream.GetRingbufferEntry(0).Frame).Should().Be(0);
    }

    [Fact]
    public async Task Stop_SeveralPendingWaits_AllThrowMjpegStreamStopped()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var pending = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            pending.Add(stream.NextFrameAsync());
            pending.Add(stream.GrabFrameAsync());
            pending.Add(stream.NextFrameSizeAsync());
        }

        pending.Should().OnlyContain(t => !t.IsCompleted, "no frame was added after the calls");
        stream.Stop();

        foreach (var task in pending)
        {
            await FluentActions.Awaiting(() => task.WaitAsync(WaitLimit)).Should().ThrowAsync<MjpegStreamStoppedException>();
        }
    }

    [Fact]
    public async Task Stop_PendingReadFramesAsync_EnumerationEndsNormally()
    {
        var stream = new MjpegStream();
        var firstFrame = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = ReadAllAsync(stream, firstFrame);
        stream.AddFrame(Jpeg(0));
        await firstFrame.Task.WaitAsync(WaitLimit);

        stream.Stop();

        var received = await reading.WaitAsync(WaitLimit);
        received.Should().Equal(0L);

        static async Task<List<long>> ReadAllAsync(MjpegStream stream, TaskCompletionSource firstFrame)
        {
            var received = new List<long>();
            await foreach (var entry in stream.ReadFramesAsync())
            {
                received.Add(entry.Index);
                firstFrame.TrySetResult();
            }

            return received;
        }
    }

    [Fact]
    public async Task Stop_SeveralPendingReadFramesAsync_AllEnumerationsEnd()
    {
        var stream = new MjpegStream();
        var enumerators = Enumerable.Range(0, 4).Select(_ => stream.ReadFramesAsync().GetAsyncEnumerator()).ToList();
        var moves = enumerators.Select(e => e.MoveNextAsync().AsTask()).ToList();

        stream.Stop();

        foreach (var move in moves)
        {
            (await move.WaitAsync(WaitLimit)).Should().BeFalse();
        }

        foreach (var enumerator in enumerators)
        {
            await enumerator.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stop_ThenWait_EveryWaitThrowsAtOnce()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.Stop();

        var next = stream.NextFrameAsync();
        var grab = stream.GrabFrameAsync();
        var size = stream.NextFrameSizeAsync();

        next.IsFaulted.Should().BeTrue("a stopped stream must not make the caller wait");
        grab.IsFaulted.Should().BeTrue();
        size.IsFaulted.Should().BeTrue();
        await FluentActions.Awaiting(() => next).Should().ThrowAsync<MjpegStreamStoppedException>();
        await FluentActions.Awaiting(() => grab).Should().ThrowAsync<MjpegStreamStoppedException>();
        await FluentActions.Awaiting(() => size).Should().ThrowAsync<MjpegStreamStoppedException>();
    }

    [Fact]
    public async Task Stop_ThenReadFramesAsync_EnumerationIsEmpty()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.Stop();

        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();

        move.IsCompleted.Should().BeTrue();
        (await move).Should().BeFalse();

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task Stop_ThenAddFrame_FrameIsKeptButWaitsStillThrow()
    {
        var stream = new MjpegStream();
        stream.Stop();

        stream.AddFrame(Jpeg(3));

        stream.LastFrameIndex.Should().Be(0);
        IdOf(stream.NewestFrame!.Frame).Should().Be(3);
        IdOf(stream.GetRingbufferEntry(0).Frame).Should().Be(3);
        await FluentActions.Awaiting(() => stream.NextFrameAsync().WaitAsync(WaitLimit))
            .Should().ThrowAsync<MjpegStreamStoppedException>();
    }

    [Fact]
    public async Task Stop_CalledTwice_StaysStoppedAndDoesNotThrow()
    {
        var stream = new MjpegStream();
        var next = stream.NextFrameAsync();

        stream.Stop();
        stream.Stop();

        stream.IsStopped.Should().BeTrue();
        await FluentActions.Awaiting(() => next.WaitAsync(WaitLimit)).Should().ThrowAsync<MjpegStreamStoppedException>();
    }
}
