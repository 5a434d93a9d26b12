using System.Buffers;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public partial class MjpegStreamTests
{
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
}
