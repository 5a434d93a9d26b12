namespace LabThings.Cameras.Ffmpeg;

/// <summary>
/// How an <see cref="FfmpegCamera"/> starts: where FFmpeg is, the first values of its settings, and how it restarts.
/// Bindable from configuration (e.g. the section <c>Camera:Ffmpeg</c>).
/// </summary>
/// <remarks>
/// <see cref="Input"/>, <see cref="InputFormat"/>, <see cref="Resolution"/>, <see cref="FrameRate"/> and <see cref="JpegQuality"/>
/// are only the defaults of the camera's settings: values saved in the settings folder win over them at start.
/// </remarks>
public sealed class FfmpegCameraOptions
{
    /// <summary>The FFmpeg executable: a path, or a name looked up on <c>PATH</c>. Default <c>ffmpeg</c>.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>What FFmpeg reads: a V4L2 device (<c>/dev/video0</c>, the default), an RTSP or HTTP URL, a video file, or a lavfi source (<c>testsrc2</c>, with <see cref="InputFormat"/> <c>lavfi</c>).</summary>
    public string Input { get; set; } = "/dev/video0";

    /// <summary>FFmpeg's input format (<c>-f</c>), e.g. <c>v4l2</c> or <c>lavfi</c>; empty (the default) to guess from <see cref="Input"/>.</summary>
    public string InputFormat { get; set; } = "";

    /// <summary>Frame size as <c>WIDTHxHEIGHT</c> (e.g. <c>1280x720</c>); empty (the default) for the input's own.</summary>
    public string Resolution { get; set; } = "";

    /// <summary>Frames per second; 0 (the default) for the input's own rate.</summary>
    public double FrameRate { get; set; }

    /// <summary>JPEG quality, 1 (smallest) to 100 (best), used when FFmpeg encodes the frames. Default 80.</summary>
    public int JpegQuality { get; set; } = 80;

    /// <summary>How long to wait before restarting FFmpeg after it stopped; doubles after each start that gave no frame. Default 1 s.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between restarts. Default 30 s.</summary>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long FFmpeg may send nothing before the camera stops it and starts it again (a camera that hangs without
    /// exiting). At least three frame intervals when <see cref="FrameRate"/> is set. Default 10 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the check off.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long FFmpeg is given to quit when asked (it is sent <c>q</c>) before its process tree is killed. Default 3 s.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
