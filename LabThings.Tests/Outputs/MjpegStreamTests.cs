using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public class MjpegStreamTests
{
    // Enumerators of ReadFramesAsync are disposed at the end of a test, not with `await using`: disposing one
    // whose MoveNextAsync is still pending (after a timeout) throws NotSupportedException and hides the timeout.

    /// <summary>Upper bound for anything that waits, so a broken stream fails the test instead of hanging it.</summary>
    private static TimeSpan WaitLimit => TimeSpan.FromSeconds(5);

    private static readonly DateTimeOffset Epoch = new(2024, 5, 17, 12, 0, 0, TimeSpan.Zero);

    // ---------------------------------------------------------------- construction and indices

    [Fact]
    public void Constructor_Default_IsEmptyRunningAndHoldsTenFrames()
    {
        var stream = new MjpegStream();

        stream.RingbufferSize.Should().Be(MjpegStream.DefaultRingbufferSize).And.Be(10);
        stream.LastFrameIndex.Should().Be(-1);
        stream.NewestFrame.Should().BeNull();
        stream.FramesAdded.Should().Be(0);
        stream.ClientsConnected.Should().Be(0);
        stream.IsStopped.Should().BeFalse();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Constructor_RingbufferSizeBelowOne_ThrowsArgumentOutOfRange(int size)
    {
        var act = () => new MjpegStream(size);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Constructor_RingbufferSizeOne_KeepsOnlyTheNewestFrame()
    {
        var stream = new MjpegStream(1);
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));

        stream.RingbufferSize.Should().Be(1);
        IdOf(stream.GetRingbufferEntry(1).Frame).Should().Be(1);
        FluentActions.Invoking(() => stream.GetRingbufferEntry(0)).Should().Throw<FrameOverwrittenException>();
    }

    [Fact]
    public void AddFrame_FirstFrame_GetsIndexZero()
    {
        var stream = new MjpegStream();

        stream.AddFrame(Jpeg(42));

        stream.LastFrameIndex.Should().Be(0);
        stream.FramesAdded.Should().Be(1);
        stream.NewestFrame!.Index.Should().Be(0);
        IdOf(stream.NewestFrame.Frame).Should().Be(42);
    }

    [Fact]
    public void AddFrame_SeveralFrames_IndicesIncreaseByOne()
    {
        var stream = new MjpegStream(ringbufferSize: 20);

        for (var i = 0; i < 15; i++)
        {
            stream.AddFrame(Jpeg(100 + i));
            stream.LastFrameIndex.Should().Be(i);
            stream.FramesAdded.Should().Be(i + 1);
        }

        for (var i = 0; i < 15; i++)
        {
            var entry = stream.GetRingbufferEntry(i);
            entry.Index.Should().Be(i);
            IdOf(entry.Frame).Should().Be(100 + i);
        }
    }

    [Fact]
    public void AddFrame_MoreFramesThanRingbuffer_IndicesKeepIncreasing()
    {
        var stream = new MjpegStream(ringbufferSize: 3);

        for (var i = 0; i < 25; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        stream.LastFrameIndex.Should().Be(24);
        stream.FramesAdded.Should().Be(25);
        stream.NewestFrame!.Index.Should().Be(24);
        IdOf(stream.NewestFrame.Frame).Should().Be(24);
    }

    [Fact]
    public void NewestFrame_AfterFrames_IsTheLastFrameAddedWithItsBytesTimestampAndIndex()
    {
        var stream = new MjpegStream();
        var last = Jpeg(3, size: 40);

        stream.AddFrame(Jpeg(1), Epoch);
        stream.AddFrame(Jpeg(2), Epoch.AddSeconds(1));
        stream.AddFrame(last, Epoch.AddSeconds(2));

        var newest = stream.NewestFrame;
        newest.Should().NotBeNull();
        newest!.Index.Should().Be(2);
        newest.Timestamp.Should().Be(Epoch.AddSeconds(2));
        newest.Frame.ToArray().Should().Equal(last);
        newest.Should().BeSameAs(stream.GetRingbufferEntry(2));
    }

    // ---------------------------------------------------------------- GetRingbufferEntry

    [Fact]
    public void GetRingbufferEntry_HeldFrame_ReturnsItsBytesTimestampAndIndex()
    {
        var stream = new MjpegStream();
        var frames = Enumerable.Range(0, 4).Select(i => Jpeg(i, size: 10 + i)).ToArray();
        for (var i = 0; i < frames.Length; i++)
        {
            stream.AddFrame(frames[i], Epoch.AddMilliseconds(i * 100));
        }

        for (var i = 0; i < frames.Length; i++)
        {
            var entry = stream.GetRingbufferEntry(i);
            entry.Index.Should().Be(i);
            entry.Timestamp.Should().Be(Epoch.AddMilliseconds(i * 100));
            entry.Frame.ToArray().Should().Equal(frames[i]);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void GetRingbufferEntry_NegativeIndex_ThrowsArgumentOutOfRange(long index)
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));

        var act = () => stream.GetRingbufferEntry(index);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("index");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void GetRingbufferEntry_OverwrittenFrame_ThrowsFrameOverwrittenWithIndices(long index)
    {
        var stream = new MjpegStream(ringbufferSize: 3);
        for (var i = 0; i < 5; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        var act = () => stream.GetRingbufferEntry(index);

        var ex = act.Should().Throw<FrameOverwrittenException>().Which;
        ex.RequestedIndex.Should().Be(index);
        ex.LastFrameIndex.Should().Be(4);
    }

    [Fact]
    public void GetRingbufferEntry_RingOfThreeAfterFiveFrames_HoldsExactlyTheNewestThree()
    {
        var stream = new MjpegStream(ringbufferSize: 3);
        for (var i = 0; i < 5; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        for (var i = 2; i < 5; i++)
        {
            IdOf(stream.GetRingbufferEntry(i).Frame).Should().Be(i);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(long.MaxValue)]
    public void GetRingbufferEntry_FutureFrame_ThrowsFrameNotYetAcquiredWithIndices(long index)
    {
        var stream = new MjpegStream(ringbufferSize: 3);
        for (var i = 0; i < 5; i++)
        {
            stream.AddFrame(Jpeg(i));
        }

        var act = () => stream.GetRingbufferEntry(index);

        var ex = act.Should().Throw<FrameNotYetAcquiredException>().Which;
        ex.RequestedIndex.Should().Be(index);
        ex.LastFrameIndex.Should().Be(4);
    }

    [Fact]
    public void GetRingbufferEntry_EmptyStream_ThrowsFrameNotYetAcquiredWithLastIndexMinusOne()
    {
        var stream = new MjpegStream();

        var act = () => stream.GetRingbufferEntry(0);

        var ex = act.Should().Throw<FrameNotYetAcquiredException>().Which;
        ex.RequestedIndex.Should().Be(0);
        ex.LastFrameIndex.Should().Be(-1);
    }

    // ---------------------------------------------------------------- timestamps

    [Fact]
    public void AddFrame_ExplicitTimestamp_IsKeptExactly()
    {
        var clock = new FakeTimeProvider(Epoch);
        var stream = new MjpegStream(timeProvider: clock);
        var captured = new DateTimeOffset(2020, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2));

        stream.AddFrame(Jpeg(0), captured);

        stream.NewestFrame!.Timestamp.Should().Be(captured);
        stream.NewestFrame.Timestamp.Offset.Should().Be(TimeSpan.FromHours(2));
        stream.GetRingbufferEntry(0).Timestamp.Should().Be(captured);
    }

    [Fact]
    public void AddFrame_NoTimestamp_UsesTheTimeProviderAtTheTimeOfAdding()
    {
        var clock = new FakeTimeProvider(Epoch);
        var stream = new MjpegStream(timeProvider: clock);

        stream.AddFrame(Jpeg(0));
        clock.Now = Epoch.AddSeconds(7);
        stream.AddFrame(Jpeg(1));
        clock.Now = Epoch.AddMinutes(3);
        stream.AddFrame(Jpeg(2), Epoch.AddYears(-1));

        stream.GetRingbufferEntry(0).Timestamp.Should().Be(Epoch);
        stream.GetRingbufferEntry(1).Timestamp.Should().Be(Epoch.AddSeconds(7));
        stream.GetRingbufferEntry(2).Timestamp.Should().Be(Epoch.AddYears(-1));
    }

    // ---------------------------------------------------------------- AddFrame copies and validates

    [Fact]
    public void AddFrame_CallerMutatesBufferAfterwards_StoredFrameIsUnchanged()
    {
        var stream = new MjpegStream();
        var buffer = Jpeg(7, size: 32);
        var original = buffer.ToArray();

        stream.AddFrame(buffer);
        Array.Fill(buffer, (byte)0xAA);
        buffer[0] = 0x00;

        stream.GetRingbufferEntry(0).Frame.ToArray().Should().Equal(original);
        stream.NewestFrame!.Frame.ToArray().Should().Equal(original);
    }

    [Fact]
    public void AddFrame_CallerReusesOneBufferForEveryFrame_EachStoredFrameKeepsItsOwnBytes()
    {
        var stream = new MjpegStream();
        var buffer = new byte[16];

        for (var i = 0; i < 3; i++)
        {
            Jpeg(i, size: buffer.Length).CopyTo(buffer, 0);
            stream.AddFrame(buffer);
        }

        for (var i = 0; i < 3; i++)
        {
            stream.GetRingbufferEntry(i).Frame.ToArray().Should().Equal(Jpeg(i, size: 16));
        }
    }

    [Fact]
    public void AddFrame_SliceOfLargerBuffer_StoresExactlyTheSlice()
    {
        var stream = new MjpegStream();
        var jpeg = Jpeg(5, size: 20);
        var big = new byte[50];
        Array.Fill(big, (byte)0x11);
        jpeg.CopyTo(big, 13);

        stream.AddFrame(big.AsMemory(13, jpeg.Length));

        stream.NewestFrame!.Frame.ToArray().Should().Equal(jpeg);
    }

    [Fact]
    public void AddFrame_SmallestValidJpeg_IsAccepted()
    {
        var stream = new MjpegStream();

        stream.AddFrame(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 });

        stream.LastFrameIndex.Should().Be(0);
        stream.NewestFrame!.Frame.ToArray().Should().Equal(0xFF, 0xD8, 0xFF, 0xD9);
    }

    public static TheoryData<string, byte[]> InvalidJpegs => new()
    {
        { "empty", Array.Empty<byte>() },
        { "one byte", new byte[] { 0xFF } },
        { "start marker only", new byte[] { 0xFF, 0xD8 } },
        { "three bytes", new byte[] { 0xFF, 0xD8, 0xFF } },
        { "markers sharing a byte", new byte[] { 0xFF, 0xD8, 0xD9 } },
        { "wrong first byte", new byte[] { 0x00, 0xD8, 0x01, 0x02, 0xFF, 0xD9 } },
        { "wrong second byte", new byte[] { 0xFF, 0xD9, 0x01, 0x02, 0xFF, 0xD9 } },
        { "wrong last byte", new byte[] { 0xFF, 0xD8, 0x01, 0x02, 0xFF, 0xD8 } },
        { "wrong second-to-last byte", new byte[] { 0xFF, 0xD8, 0x01, 0x02, 0x00, 0xD9 } },
        { "png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A } },
        { "truncated jpeg", new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10 } },
    };

    [Theory]
    [MemberData(nameof(InvalidJpegs))]
    public void AddFrame_InvalidJpeg_ThrowsArgumentExceptionAndLeavesStreamUnchanged(string description, byte[] data)
    {
        _ = description;
        var stream = new MjpegStream(ringbufferSize: 3);
        stream.AddFrame(Jpeg(0), Epoch);
        stream.AddFrame(Jpeg(1), Epoch.AddSeconds(1));
        var newestBefore = stream.NewestFrame;

        var act = () => stream.AddFrame(data);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("jpeg");
        stream.LastFrameIndex.Should().Be(1);
        stream.FramesAdded.Should().Be(2);
        stream.NewestFrame.Should().BeSameAs(newestBefore);
        IdOf(stream.GetRingbufferEntry(0).Frame).Should().Be(0);
        IdOf(stream.GetRingbufferEntry(1).Frame).Should().Be(1);
        FluentActions.Invoking(() => stream.GetRingbufferEntry(2)).Should().Throw<FrameNotYetAcquiredException>();

        stream.AddFrame(Jpeg(2));
        stream.LastFrameIndex.Should().Be(2, "the rejected frame must not have used up an index");
        IdOf(stream.GetRingbufferEntry(2).Frame).Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(InvalidJpegs))]
    public void AddFrame_InvalidJpegOnEmptyStream_ThrowsArgumentExceptionAndStreamStaysEmpty(string description, byte[] data)
    {
        _ = description;
        var stream = new MjpegStream();

        var act = () => stream.AddFrame(data);

        act.Should().Throw<ArgumentException>();
        stream.LastFrameIndex.Should().Be(-1);
        stream.FramesAdded.Should().Be(0);
        stream.NewestFrame.Should().BeNull();
    }

    [Fact]
    public async Task AddFrame_InvalidJpegWhileReaderWaits_ReaderGetsOnlyTheNextValidFrame()
    {
        var stream = new MjpegStream();
        var next = stream.GrabFrameAsync();

        FluentActions.Invoking(() => stream.AddFrame(new byte[] { 1, 2, 3, 4, 5 })).Should().Throw<ArgumentException>();
        stream.AddFrame(Jpeg(9));

        var frame = await next.WaitAsync(WaitLimit);
        IdOf(frame).Should().Be(9);
    }

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

    // ---------------------------------------------------------------- NextFrameAsync / GrabFrameAsync / NextFrameSizeAsync

    [Fact]
    public async Task NextFrameAsync_ExistingFrame_ReturnsIndexOfNextFrameAddedAfterTheCall()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));

        var next = stream.NextFrameAsync();
        next.IsCompleted.Should().BeFalse("the newest frame existed before the call");
        stream.AddFrame(Jpeg(2));

        (await next.WaitAsync(WaitLimit)).Should().Be(2);
    }

    [Fact]
    public async Task NextFrameAsync_EmptyStream_ReturnsZeroForTheFirstFrame()
    {
        var stream = new MjpegStream();

        var next = stream.NextFrameAsync();
        stream.AddFrame(Jpeg(0));

        (await next.WaitAsync(WaitLimit)).Should().Be(0);
    }

    [Fact]
    public async Task NextFrameAsync_CalledRepeatedly_ReturnsEachNewFrame()
    {
        var stream = new MjpegStream();

        for (var i = 0; i < 5; i++)
        {
            var next = stream.NextFrameAsync();
            stream.AddFrame(Jpeg(i));
            (await next.WaitAsync(WaitLimit)).Should().Be(i);
        }
    }

    [Fact]
    public async Task GrabFrameAsync_ExistingFrame_ReturnsBytesOfNextFrameAddedAfterTheCall()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, size: 50));

        var grab = stream.GrabFrameAsync();
        grab.IsCompleted.Should().BeFalse();
        var expected = Jpeg(2, size: 23);
        stream.AddFrame(expected);

        (await grab.WaitAsync(WaitLimit)).ToArray().Should().Equal(expected);
    }

    [Fact]
    public async Task NextFrameSizeAsync_ExistingFrame_ReturnsSizeOfNextFrameAddedAfterTheCall()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(1, size: 100));

        var size = stream.NextFrameSizeAsync();
        size.IsCompleted.Should().BeFalse();
        stream.AddFrame(Jpeg(2, size: 37));

        (await size.WaitAsync(WaitLimit)).Should().Be(37);
    }

    [Fact]
    public async Task NextFrameAsync_SeveralWaiters_AllGetTheSameNewFrame()
    {
        var stream = new MjpegStream();
        var waiters = Enumerable.Range(0, 10).Select(_ => stream.GrabFrameAsync()).ToList();

        stream.AddFrame(Jpeg(8));

        foreach (var waiter in waiters)
        {
            IdOf(await waiter.WaitAsync(WaitLimit)).Should().Be(8);
        }
    }

    public static TheoryData<string> SingleFrameWaits => ["next", "grab", "size"];

    [Theory]
    [MemberData(nameof(SingleFrameWaits))]
    public async Task SingleFrameWait_Cancelled_ThrowsOperationCanceled(string wait)
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        using var cts = new CancellationTokenSource();
        Task pending = wait switch
        {
            "next" => stream.NextFrameAsync(cts.Token),
            "grab" => stream.GrabFrameAsync(cts.Token),
            _ => stream.NextFrameSizeAsync(cts.Token),
        };

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => pending.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task NextFrameAsync_AlreadyCancelledToken_ThrowsOperationCanceled()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => stream.NextFrameAsync(cts.Token).WaitAsync(WaitLimit))
            .Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task NextFrameAsync_OneWaiterCancelled_OtherWaitersStillGetTheFrame()
    {
        var stream = new MjpegStream();
        using var cts = new CancellationTokenSource();
        var cancelled = stream.NextFrameAsync(cts.Token);
        var other = stream.NextFrameAsync();

        await cts.CancelAsync();
        await FluentActions.Awaiting(() => cancelled.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();
        stream.AddFrame(Jpeg(0));

        (await other.WaitAsync(WaitLimit)).Should().Be(0);
    }

    // ---------------------------------------------------------------- ReadFramesAsync

    [Fact]
    public async Task ReadFramesAsync_ExistingFrame_StartsWithTheNextFrame()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();

        var move = frames.MoveNextAsync().AsTask();
        move.IsCompleted.Should().BeFalse("the existing frame is not yielded");
        stream.AddFrame(Jpeg(1));

        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        frames.Current.Index.Should().Be(1);
        IdOf(frames.Current.Frame).Should().Be(1);

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_ConsumerKeepsUp_YieldsEveryFrameInIndexOrder()
    {
        var stream = new MjpegStream();
        var timestamps = new List<DateTimeOffset>();
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();

        for (var i = 0; i < 6; i++)
        {
            var move = frames.MoveNextAsync().AsTask();
            stream.AddFrame(Jpeg(10 + i), Epoch.AddSeconds(i));
            (await move.WaitAsync(WaitLimit)).Should().BeTrue();
            frames.Current.Index.Should().Be(i);
            IdOf(frames.Current.Frame).Should().Be(10 + i);
            timestamps.Add(frames.Current.Timestamp);
        }

        timestamps.Should().Equal(Enumerable.Range(0, 6).Select(i => Epoch.AddSeconds(i)));

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_ProducerRunsFreely_IndicesStrictlyIncreaseAndEndAtNewest()
    {
        const int count = 300;
        var stream = new MjpegStream(ringbufferSize: count);
        var seen = new List<RingbufferEntry>();
        var reading = ReadUntilAsync(stream, count - 1, seen);

        var producing = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                stream.AddFrame(Jpeg(i));
            }
        });

        await producing.WaitAsync(WaitLimit);
        await reading.WaitAsync(WaitLimit);
        seen.Should().NotBeEmpty();
        seen.Select(e => e.Index).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        seen[^1].Index.Should().Be(count - 1);
        seen.Should().OnlyContain(e => IdOf(e.Frame) == e.Index, "each yielded entry's bytes belong to its index");

        static async Task ReadUntilAsync(MjpegStream stream, long lastIndex, List<RingbufferEntry> seen)
        {
            await foreach (var entry in stream.ReadFramesAsync())
            {
                seen.Add(entry);
                if (entry.Index == lastIndex)
                {
                    break;
                }
            }
        }
    }

    [Fact]
    public async Task ReadFramesAsync_SlowConsumer_SkipsToTheNewestFrame()
    {
        var stream = new MjpegStream();
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();
        stream.AddFrame(Jpeg(0));
        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        frames.Current.Index.Should().Be(0);

        // The consumer is busy while three frames arrive.
        stream.AddFrame(Jpeg(1));
        stream.AddFrame(Jpeg(2));
        stream.AddFrame(Jpeg(3));

        move = frames.MoveNextAsync().AsTask();
        move.IsCompleted.Should().BeTrue("a newer frame is already there");
        (await move).Should().BeTrue();
        frames.Current.Index.Should().Be(3);
        IdOf(frames.Current.Frame).Should().Be(3);

        move = frames.MoveNextAsync().AsTask();
        move.IsCompleted.Should().BeFalse("frames 1 and 2 were skipped, not queued");
        stream.AddFrame(Jpeg(4));
        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        frames.Current.Index.Should().Be(4);

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_Cancelled_ThrowsOperationCanceled()
    {
        var stream = new MjpegStream();
        using var cts = new CancellationTokenSource();
        var frames = stream.ReadFramesAsync(cts.Token).GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => move.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_CancelledViaWithCancellation_ThrowsOperationCanceled()
    {
        var stream = new MjpegStream();
        using var cts = new CancellationTokenSource();
        var reading = ConsumeAsync(stream, cts.Token);

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => reading.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();

        static async Task ConsumeAsync(MjpegStream stream, CancellationToken token)
        {
            await foreach (var entry in stream.ReadFramesAsync(CancellationToken.None).WithCancellation(token))
            {
                _ = entry;
            }
        }
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task AddFrame_ConcurrentProducersAndReaders_UniqueIndicesAndIncreasingReads()
    {
        const int producers = 4;
        const int perProducer = 2000;
        const int total = producers * perProducer;
        const int readers = 8;
        var limit = TimeSpan.FromSeconds(30);
        var stream = new MjpegStream(ringbufferSize: total);
        var sawLast = Enumerable.Range(0, readers)
            .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .ToArray();

        // Called directly so that each reader has started waiting before any frame is added.
        var readerTasks = Enumerable.Range(0, readers).Select(r => ReadUntilStoppedAsync(stream, total - 1, sawLast[r])).ToArray();
        var waiterTasks = Enumerable.Range(0, 2).Select(_ => GrabUntilStoppedAsync(stream)).ToArray();

        using var start = new ManualResetEventSlim();
        var producerTasks = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(
            () =>
            {
                start.Wait();
                for (var i = 0; i < perProducer; i++)
                {
                    stream.AddFrame(Jpeg((p * 100_000) + i));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        start.Set();

        await Task.WhenAll(producerTasks).WaitAsync(limit);

        stream.FramesAdded.Should().Be(total);
        stream.LastFrameIndex.Should().Be(total - 1);

        // Every frame got exactly one index in 0..total-1, and each producer's frames kept their order.
        var stored = Enumerable.Range(0, total).Select(i => IdOf(stream.GetRingbufferEntry(i).Frame)).ToList();
        stored.Order().Should().Equal(
            Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => (p * 100_000) + i)).Order());
        for (var p = 0; p < producers; p++)
        {
            stored.Where(id => id / 100_000 == p).Should().BeInAscendingOrder();
        }

        // Readers always catch up with the newest frame; only then stop the stream.
        await Task.WhenAll(sawLast.Select(s => s.Task)).WaitAsync(limit);
        stream.Stop();
        var reads = await Task.WhenAll(readerTasks).WaitAsync(limit);
        var grabs = await Task.WhenAll(waiterTasks).WaitAsync(limit);

        foreach (var read in reads)
        {
            read.Should().NotBeEmpty();
            read.Select(r => r.Index).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            read[^1].Index.Should().Be(total - 1);
            read.Should().OnlyContain(r => stored[(int)r.Index] == r.Id, "a reader must get the bytes stored under the index it was given");
        }

        var storedIds = stored.ToHashSet();
        foreach (var grab in grabs)
        {
            grab.Should().OnlyContain(id => storedIds.Contains(id), "a grabbed frame is one of the frames added");
        }

        static async Task<List<(long Index, int Id)>> ReadUntilStoppedAsync(MjpegStream stream, long lastIndex, TaskCompletionSource sawLast)
        {
            var read = new List<(long Index, int Id)>();
            await foreach (var entry in stream.ReadFramesAsync())
            {
                read.Add((entry.Index, IdOf(entry.Frame)));
                if (entry.Index == lastIndex)
                {
                    sawLast.TrySetResult();
                }
            }

            return read;
        }

        static async Task<List<int>> GrabUntilStoppedAsync(MjpegStream stream)
        {
            var grabbed = new List<int>();
            while (true)
            {
                try
                {
                    grabbed.Add(IdOf(await stream.GrabFrameAsync()));
                }
                catch (MjpegStreamStoppedException)
                {
                    return grabbed;
                }
            }
        }
    }

    // ---------------------------------------------------------------- WriteMultipartAsync

    [Fact]
    public void Boundary_Constants_DescribeTheMultipartBody()
    {
        MjpegStream.Boundary.Should().Be("frame");
        MjpegStream.MultipartContentType.Should().Be("multipart/x-mixed-replace; boundary=frame");
    }

    [Fact]
    public async Task WriteMultipartAsync_OneFrameThenStop_WritesExactlyOpeningBoundaryAndOnePart()
    {
        var stream = new MjpegStream();
        var jpeg = Jpeg(1, size: 10);
        stream.AddFrame(jpeg);
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var expected = Ascii("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 10\r\n\r\n")
            .Concat(jpeg)
            .Concat(Ascii("\r\n--frame\r\n"))
            .ToArray();

        var writing = stream.WriteMultipartAsync(pipe.Writer);
        var head = await ReadAtLeastAsync(pipe.Reader, expected.Length, timeout.Token);
        stream.Stop();
        await writing.WaitAsync(WaitLimit);
        await pipe.Writer.CompleteAsync();
        var rest = await ReadToEndAsync(pipe.Reader, timeout.Token);

        head.Concat(rest).Should().Equal(expected);
    }

    [Fact]
    public async Task WriteMultipartAsync_EmptyStream_WritesOpeningBoundaryThenEachNewFrame()
    {
        var stream = new MjpegStream();
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);

        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();
        var frames = new[] { Jpeg(0, size: 8), Jpeg(1, size: 300), Jpeg(2, size: 12) };
        foreach (var frame in frames)
        {
            stream.AddFrame(frame);
            (await body.ReadPartAsync()).Should().Equal(frame);
        }

        stream.Stop();
        await writing.WaitAsync(WaitLimit);
        writing.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task WriteMultipartAsync_ExistingFrames_SendsTheNewestFrameAtOnce()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));
        var newest = Jpeg(2, size: 25);
        stream.AddFrame(newest);
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);

        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();
        var first = await body.ReadPartAsync();
        stream.AddFrame(Jpeg(3));
        var second = await body.ReadPartAsync();

        first.Should().Equal(newest);
        IdOf(second).Should().Be(3);
        stream.Stop();
        await writing.WaitAsync(WaitLimit);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(1234)]
    [InlineData(70_000)]
    [InlineData(1_000_000)]
    public async Task WriteMultipartAsync_FrameOfGivenSize_ContentLengthMatchesAndBytesAreExact(int size)
    {
        var stream = new MjpegStream();
        var jpeg = size == 4 ? new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 } : Jpeg(size, size);
        stream.AddFrame(jpeg);
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);

        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();
        var part = await body.ReadPartAsync();

        body.LastContentLength.Should().Be(size);
        part.Should().Equal(jpeg);
        stream.Stop();
        await writing.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task WriteMultipartAsync_ManyFramesReaderKeepsUp_EveryPartIsWellFormedAndInOrder()
    {
        var stream = new MjpegStream();
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();

        for (var i = 0; i < 50; i++)
        {
            var frame = Jpeg(i, size: 8 + (i * 37 % 500));
            stream.AddFrame(frame);
            (await body.ReadPartAsync()).Should().Equal(frame);
        }

        stream.Stop();
        await writing.WaitAsync(WaitLimit);
        await pipe.Writer.CompleteAsync();
        (await ReadToEndAsync(pipe.Reader, timeout.Token)).Should().BeEmpty("the body ends right after the last boundary line");
    }

    [Fact]
    public async Task WriteMultipartAsync_SlowReader_SkipsToTheNewestFrame()
    {
        var stream = new MjpegStream();
        var first = Jpeg(0, size: 20);
        stream.AddFrame(first);
        // Back-pressure after every byte: the writer's flush waits until the reader consumes.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);

        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();

        // Look at (but do not consume) the first part: the writer is now stuck in its flush.
        var buffered = await PeekAtLeastAsync(pipe.Reader, Part(first).Length, timeout.Token);
        buffered.Should().Equal(Part(first));
        for (var i = 1; i <= 4; i++)
        {
            stream.AddFrame(Jpeg(i, size: 20 + i));
        }

        // The reader catches up: the next part is the newest frame, not frame 1.
        (await body.ReadPartAsync()).Should().Equal(first);
        var next = await body.ReadPartAsync();

        IdOf(next).Should().Be(4);
        stream.Stop();
        await writing.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task WriteMultipartAsync_WhileWriting_ClientsConnectedCountsEachWriter()
    {
        var stream = new MjpegStream();
        var first = new Pipe();
        var second = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);

        stream.ClientsConnected.Should().Be(0);
        var writingFirst = stream.WriteMultipartAsync(first.Writer);
        await new MultipartBodyReader(first.Reader, timeout.Token).ReadOpeningBoundaryAsync();
        stream.ClientsConnected.Should().Be(1);
        var writingSecond = stream.WriteMultipartAsync(second.Writer);
        await new MultipartBodyReader(second.Reader, timeout.Token).ReadOpeningBoundaryAsync();
        stream.ClientsConnected.Should().Be(2);

        stream.Stop();
        await Task.WhenAll(writingFirst, writingSecond).WaitAsync(WaitLimit);

        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task WriteMultipartAsync_Stopped_ReturnsAndDisconnectsTheClient()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();
        await body.ReadPartAsync();

        stream.Stop();

        await writing.WaitAsync(WaitLimit);
        writing.IsCompletedSuccessfully.Should().BeTrue();
        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task WriteMultipartAsync_Stopped_LeavesTheWriterOpenForTheCaller()
    {
        var stream = new MjpegStream();
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await new MultipartBodyReader(pipe.Reader, timeout.Token).ReadOpeningBoundaryAsync();
        stream.Stop();
        await writing.WaitAsync(WaitLimit);

        await pipe.Writer.WriteAsync(Ascii("tail"));
        await pipe.Writer.CompleteAsync();

        (await ReadToEndAsync(pipe.Reader, timeout.Token)).Should().Equal(Ascii("tail"));
    }

    [Fact]
    public async Task WriteMultipartAsync_AlreadyStopped_WritesOnlyTheOpeningBoundaryAndReturns()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.Stop();
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);

        await stream.WriteMultipartAsync(pipe.Writer).WaitAsync(WaitLimit);
        await pipe.Writer.CompleteAsync();

        (await ReadToEndAsync(pipe.Reader, timeout.Token)).Should().Equal(Ascii("--frame\r\n"));
        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task WriteMultipartAsync_ReaderCompletesPipe_ReturnsAtNextFrameAndDisconnects()
    {
        var stream = new MjpegStream();
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await new MultipartBodyReader(pipe.Reader, timeout.Token).ReadOpeningBoundaryAsync();
        stream.ClientsConnected.Should().Be(1);

        await pipe.Reader.CompleteAsync();
        stream.AddFrame(Jpeg(0));

        await writing.WaitAsync(WaitLimit);
        writing.IsCompletedSuccessfully.Should().BeTrue();
        stream.ClientsConnected.Should().Be(0);
        stream.IsStopped.Should().BeFalse("one client leaving does not stop the stream");
    }

    [Fact]
    public async Task WriteMultipartAsync_ReaderCompletesPipeDuringBlockedFlush_ReturnsWithoutWaitingForAFrame()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        using var timeout = new CancellationTokenSource(WaitLimit);
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await PeekAtLeastAsync(pipe.Reader, 1, timeout.Token);

        // The writer is blocked in a flush; the client goes away.
        await pipe.Reader.CompleteAsync();

        await writing.WaitAsync(WaitLimit);
        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task WriteMultipartAsync_Cancelled_ThrowsOperationCanceledAndDisconnects()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        using var cts = new CancellationTokenSource();
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);
        var writing = stream.WriteMultipartAsync(pipe.Writer, cts.Token);
        await body.ReadOpeningBoundaryAsync();
        await body.ReadPartAsync();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => writing.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();
        stream.ClientsConnected.Should().Be(0);
        stream.IsStopped.Should().BeFalse();
    }

    [Fact]
    public async Task WriteMultipartAsync_AlreadyCancelled_ThrowsOperationCanceledAndDisconnects()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => stream.WriteMultipartAsync(pipe.Writer, cts.Token).WaitAsync(WaitLimit))
            .Should().ThrowAsync<OperationCanceledException>();
        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task WriteMultipartAsync_NullWriter_ThrowsArgumentNullWithoutCountingAClient()
    {
        var stream = new MjpegStream();

        await FluentActions.Awaiting(() => stream.WriteMultipartAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task WriteMultipartAsync_StreamReset_ClientKeepsReceivingNewFrames()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        stream.AddFrame(Jpeg(1));
        var pipe = new Pipe();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var body = new MultipartBodyReader(pipe.Reader, timeout.Token);
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        await body.ReadOpeningBoundaryAsync();
        IdOf(await body.ReadPartAsync()).Should().Be(1);

        stream.Reset();
        stream.AddFrame(Jpeg(900));

        IdOf(await body.ReadPartAsync()).Should().Be(900);
        stream.ClientsConnected.Should().Be(1);
        stream.Stop();
        await writing.WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task WriteMultipartAsync_SeveralClients_EachGetsEveryFrameWhenKeepingUp()
    {
        var stream = new MjpegStream();
        using var timeout = new CancellationTokenSource(WaitLimit);
        var pipes = Enumerable.Range(0, 3).Select(_ => new Pipe()).ToList();
        var bodies = pipes.Select(p => new MultipartBodyReader(p.Reader, timeout.Token)).ToList();
        var writers = pipes.Select(p => stream.WriteMultipartAsync(p.Writer)).ToList();
        foreach (var body in bodies)
        {
            await body.ReadOpeningBoundaryAsync();
        }

        for (var i = 0; i < 5; i++)
        {
            var frame = Jpeg(i, size: 15 + i);
            stream.AddFrame(frame);
            foreach (var body in bodies)
            {
                (await body.ReadPartAsync()).Should().Equal(frame);
            }
        }

        stream.ClientsConnected.Should().Be(3);
        stream.Stop();
        await Task.WhenAll(writers).WaitAsync(WaitLimit);
        stream.ClientsConnected.Should().Be(0);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A fake JPEG: FF D8, the id (little-endian int32), filler derived from the id, FF D9.</summary>
    private static byte[] Jpeg(int id, int size = 12)
    {
        size.Should().BeGreaterThanOrEqualTo(8, "a fake JPEG needs room for its markers and id");
        var bytes = new byte[size];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), id);
        for (var i = 6; i < size - 2; i++)
        {
            bytes[i] = (byte)(id + i);
        }

        bytes[^2] = 0xFF;
        bytes[^1] = 0xD9;
        return bytes;
    }

    private static int IdOf(ReadOnlyMemory<byte> frame) => BinaryPrimitives.ReadInt32LittleEndian(frame.Span[2..]);

    private static int IdOf(byte[] frame) => IdOf(frame.AsMemory());

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>The exact bytes of one part after the opening boundary.</summary>
    private static byte[] Part(byte[] jpeg)
        => Ascii($"Content-Type: image/jpeg\r\nContent-Length: {jpeg.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n")
            .Concat(jpeg)
            .Concat(Ascii("\r\n--frame\r\n"))
            .ToArray();

    /// <summary>Reads and consumes at least <paramref name="count"/> bytes (all that are buffered).</summary>
    private static async Task<byte[]> ReadAtLeastAsync(PipeReader reader, int count, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(count, cancellationToken);
        var bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        bytes.Length.Should().BeGreaterThanOrEqualTo(count, "the body ended early");
        return bytes;
    }

    /// <summary>Waits until at least <paramref name="count"/> bytes are buffered, without consuming them.</summary>
    private static async Task<byte[]> PeekAtLeastAsync(PipeReader reader, int count, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(count, cancellationToken);
        var bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.Start);
        bytes.Length.Should().BeGreaterThanOrEqualTo(count, "the body ended early");
        return bytes;
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var all = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            all.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.ToArray();
            }
        }
    }

    /// <summary>Reads a multipart/x-mixed-replace body from a pipe, checking the framing byte for byte.</summary>
    private sealed class MultipartBodyReader(PipeReader reader, CancellationToken cancellationToken)
    {
        public int LastContentLength { get; private set; } = -1;

        public async Task ReadOpeningBoundaryAsync()
            => Encoding.ASCII.GetString(await ReadExactlyAsync(9)).Should().Be("--frame\r\n");

        /// <summary>Reads one part and the boundary line after it; returns the part's body.</summary>
        public async Task<byte[]> ReadPartAsync()
        {
            (await ReadLineAsync()).Should().Be("Content-Type: image/jpeg");
            var lengthLine = await ReadLineAsync();
            lengthLine.Should().MatchRegex("^Content-Length: [1-9][0-9]*$");
            (await ReadLineAsync()).Should().BeEmpty("the headers end with a blank line");
            LastContentLength = int.Parse(lengthLine["Content-Length: ".Length..], NumberStyles.None, CultureInfo.InvariantCulture);
            var jpeg = await ReadExactlyAsync(LastContentLength);
            Encoding.ASCII.GetString(await ReadExactlyAsync(11)).Should().Be("\r\n--frame\r\n");
            jpeg[..2].Should().Equal(0xFF, 0xD8);
            jpeg[^2..].Should().Equal(0xFF, 0xD9);
            return jpeg;
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var result = await reader.ReadAtLeastAsync(count, cancellationToken);
            var buffer = result.Buffer;
            buffer.Length.Should().BeGreaterThanOrEqualTo(count, "the body ended in the middle of a part");
            var bytes = buffer.Slice(0, count).ToArray();
            reader.AdvanceTo(buffer.GetPosition(count));
            return bytes;
        }

        private async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                if (TryTakeLine(buffer, out var line, out var consumed))
                {
                    reader.AdvanceTo(consumed);
                    return line;
                }

                buffer.Length.Should().BeLessThan(1000, "a header line is short");
                result.IsCompleted.Should().BeFalse("the body ended in the middle of the headers");
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        private static bool TryTakeLine(ReadOnlySequence<byte> buffer, out string line, out SequencePosition consumed)
        {
            var sequenceReader = new SequenceReader<byte>(buffer);
            if (sequenceReader.TryReadTo(out ReadOnlySequence<byte> lineBytes, "\r\n"u8))
            {
                line = Encoding.ASCII.GetString(lineBytes);
                consumed = sequenceReader.Position;
                return true;
            }

            line = string.Empty;
            consumed = buffer.Start;
            return false;
        }
    }

    private sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
