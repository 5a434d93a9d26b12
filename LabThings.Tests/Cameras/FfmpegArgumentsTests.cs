using LabThings.Cameras.Ffmpeg;

namespace LabThings.Tests.Cameras;

/// <summary>FFmpeg's command line suits the kind of input: a webcam's own MJPEG is copied, everything else is encoded.</summary>
public sealed class FfmpegArgumentsTests
{
    [Fact]
    public void Build_WebcamOfferingMjpeg_AsksForMjpegAndCopiesItWithoutEncoding()
    {
        var args = FfmpegArguments.Build(new CaptureSettings("/dev/video0", "", "1280x720", 30, 80), copyCameraMjpeg: true);

        string.Join(' ', args).Should().Be(
            "-hide_banner -nostats -loglevel warning -f v4l2 -input_format mjpeg -video_size 1280x720 -framerate 30 -i /dev/video0 "
            + "-map 0:v:0 -an -sn -dn -c:v copy -f mjpeg -flush_packets 1 pipe:1");
    }

    [Fact]
    public void Build_WebcamWithoutMjpeg_AsksForSizeAndRateAndEncodes()
    {
        var args = string.Join(' ', FfmpegArguments.Build(new CaptureSettings("/dev/video2", "", "", 0, 100), copyCameraMjpeg: false));

        args.Should().Contain("-f v4l2 -i /dev/video2").And.Contain("-c:v mjpeg -q:v 2").And.NotContain("-input_format").And.NotContain("-vf");
    }

    [Fact]
    public void Build_TestSource_IsPacedScaledAndRateLimited()
    {
        var args = string.Join(' ', FfmpegArguments.Build(new CaptureSettings("testsrc2", "lavfi", "320x240", 12.5, 1), copyCameraMjpeg: false));

        args.Should().Contain("-re -f lavfi -i testsrc2").And.Contain("-vf fps=12.5,scale=320:240").And.Contain("-q:v 31");
    }

    [Theory]
    [InlineData("rtsp://192.0.2.7/stream1", "-rtsp_transport tcp -timeout 5000000 -i rtsp://192.0.2.7/stream1")]
    [InlineData("http://192.0.2.7/video.mjpg", "-rw_timeout 5000000 -i http://192.0.2.7/video.mjpg")]
    [InlineData("/data/run 3.mp4", "-re -stream_loop -1 -i /data/run 3.mp4")]
    public void Build_NetworkAndFileInputs_GetTimeoutsOrLooping(string input, string expected)
    {
        var args = FfmpegArguments.Build(new CaptureSettings(input, "", "", 0, 80), copyCameraMjpeg: false);

        string.Join(' ', args).Should().Contain(expected);
        args.Should().Contain(input, "the input is one argument, never split or quoted by a shell");
    }

    [Fact]
    public void Build_MalformedResolution_ThrowsNamingIt()
    {
        var build = () => FfmpegArguments.Build(new CaptureSettings("testsrc2", "lavfi", "640*480", 0, 80), false);

        build.Should().Throw<ArgumentException>().WithMessage("*'640*480'*WIDTHxHEIGHT*");
    }

    [Fact]
    public void OffersMjpeg_ReadsFfmpegsFormatList()
    {
        const string withMjpeg = """
            [video4linux2,v4l2 @ 0x55d0c8] Compressed:       mjpeg :          Motion-JPEG : 1280x720 640x480
            [video4linux2,v4l2 @ 0x55d0c8] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480
            """;
        const string rawOnly = "[video4linux2,v4l2 @ 0x55d0c8] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480\n";

        FfmpegArguments.OffersMjpeg(withMjpeg).Should().BeTrue();
        FfmpegArguments.OffersMjpeg(rawOnly).Should().BeFalse();
        FfmpegArguments.OffersMjpeg("/dev/video9: No such file or directory").Should().BeFalse();
    }

    [Theory]
    [InlineData(100, 2)]
    [InlineData(1, 31)]
    [InlineData(80, 8)]
    public void Quantiser_MapsQualityOntoFfmpegsScale(int quality, int expected)
        => FfmpegArguments.Quantiser(quality).Should().Be(expected);
}
