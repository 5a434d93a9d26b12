using System.Buffers;
using System.IO.Pipelines;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public partial class MjpegStreamTests
{
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
}
