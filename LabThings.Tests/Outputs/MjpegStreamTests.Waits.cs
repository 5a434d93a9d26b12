using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public partial class MjpegStreamTests
{
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
}
