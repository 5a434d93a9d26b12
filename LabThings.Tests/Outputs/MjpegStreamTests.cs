using System.Buffers;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

/// <summary>MjpegStream on its own, split by concern into partial files: construction, indices and timestamps here.</summary>
public partial class MjpegStreamTests
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
}
