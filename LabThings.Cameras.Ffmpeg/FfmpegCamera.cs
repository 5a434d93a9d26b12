using System.ComponentModel;
using LabThings.Outputs;

namespace LabThings.Cameras.Ffmpeg;

/// <summary>
/// A camera read through FFmpeg, run as a child process: a USB webcam (V4L2; its own MJPEG is passed on without
/// re-encoding when it offers it), an IP camera (RTSP or HTTP URL), a video file (played in a loop) or an FFmpeg test
/// source (<c>testsrc2</c> with input format <c>lavfi</c>). Frames are served as an MJPEG stream at <c>stream</c>.
/// </summary>
/// <remarks>
/// <para>
/// Its settings (<see cref="Input"/>, <see cref="InputFormat"/>, <see cref="Resolution"/>, <see cref="FrameRate"/>,
/// <see cref="JpegQuality"/>) are saved in the server's settings folder; changing one restarts FFmpeg with it.
/// </para>
/// <para>
/// When FFmpeg is missing, cannot open the input or exits, the camera says so in <see cref="Status"/> and
/// <see cref="StatusMessage"/>, logs it, raises <see cref="Problem"/>, and starts FFmpeg again after a delay that
/// doubles while no frame arrives (<see cref="FfmpegCameraOptions.RestartDelay"/> up to
/// <see cref="FfmpegCameraOptions.MaxRestartDelay"/>). None of this stops the server. When the server stops, FFmpeg is
/// asked to quit, then its process tree is killed if it has not, and the camera waits for it to exit.
/// </para>
/// <para>
/// Writing <see cref="Input"/> lets a client make FFmpeg open any file, device or URL the server can reach: restrict who may
/// write properties on a server that others can reach.
/// </para>
/// </remarks>
[DisplayName("FFmpeg camera")]
[Description("A camera read through FFmpeg: a webcam, an IP camera, a video file or a test source")]
[ValidatePropertyWrites]
public sealed partial class FfmpegCamera : Thing, ICamera, IDisposable
{
    private readonly FfmpegCameraOptions _options;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stopping;
    private CancellationTokenSource? _restart;
    private Task? _runLoop;

    /// <summary>Creates the camera; FFmpeg starts when the server starts.</summary>
    /// <param name="options">Where FFmpeg is, the settings' first values and the restart delays; the defaults if null.</param>
    /// <exception cref="LabThings.Model.PropertyValidationException">A setting's first value breaks its schema (e.g. a malformed resolution).</exception>
    public FfmpegCamera(FfmpegCameraOptions? options = null)
    {
        _options = options ?? new FfmpegCameraOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.RestartDelay, TimeSpan.Zero, nameof(options));
        Input = _options.Input;
        InputFormat = _options.InputFormat;
        Resolution = _options.Resolution;
        FrameRate = _options.FrameRate;
        JpegQuality = _options.JpegQuality;
    }

    /// <summary>The live view.</summary>
    [MjpegStream(RingbufferSize = 10, Description = "Live view from FFmpeg")]
    public MjpegStream Stream => GetStream();

    /// <summary>What FFmpeg reads: a V4L2 device, a URL, a file, or a lavfi source. Changing it restarts FFmpeg.</summary>
    [ThingSetting(MinLength = 1, Description = "What FFmpeg reads: /dev/video0, an rtsp:// or http:// URL, a video file, or a lavfi source such as testsrc2")]
    public string Input { get; set => Changed(SetProperty(ref field, value)); } = "";

    /// <summary>FFmpeg's input format (<c>-f</c>), e.g. <c>v4l2</c> or <c>lavfi</c>; empty to guess from the input.</summary>
    [ThingSetting(Pattern = "^[a-z0-9_,]*$", Description = "FFmpeg's input format (-f), e.g. v4l2 or lavfi; empty to guess from the input")]
    public string InputFormat { get; set => Changed(SetProperty(ref field, value)); } = "";

    /// <summary>Frame size as <c>WIDTHxHEIGHT</c>; empty for the input's own.</summary>
    [ThingSetting(Pattern = "^$|^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$", Description = "Frame size as WIDTHxHEIGHT (e.g. 1280x720); empty for the input's own")]
    public string Resolution { get; set => Changed(SetProperty(ref field, value)); } = "";

    /// <summary>Frames per second; 0 for the input's own rate.</summary>
    [ThingSetting(Minimum = 0, Maximum = 240, Unit = "Hz", Description = "Frames per second; 0 for the input's own rate")]
    public double FrameRate { get; set => Changed(SetProperty(ref field, value)); }

    /// <summary>JPEG quality from 1 to 100, used when FFmpeg encodes (not when a webcam's own MJPEG is passed on).</summary>
    [ThingSetting(Minimum = 1, Maximum = 100, Description = "JPEG quality, 1 to 100, when FFmpeg encodes the frames (a webcam's own MJPEG is passed on as it is)")]
    public int JpegQuality { get; set => Changed(SetProperty(ref field, value)); }

    /// <summary>What the camera is doing.</summary>
    [ThingProperty(ReadOnly = true, Description = "Stopped, Starting, Streaming, or Failed (waiting to restart FFmpeg)")]
    public CameraState Status { get; private set => SetProperty(ref field, value); } = CameraState.Stopped;

    /// <summary>The state in words: what FFmpeg reads, or why it stopped and when it restarts.</summary>
    [ThingProperty(ReadOnly = true, Description = "The status in words: what is read, or why FFmpeg stopped and when it restarts")]
    public string StatusMessage { get; private set => SetProperty(ref field, value); } = "Not started";

    /// <summary>True while the frames are the webcam's own MJPEG, passed on without decoding or re-encoding.</summary>
    [ThingProperty(ReadOnly = true, Description = "True while a webcam's own MJPEG frames are passed on without re-encoding")]
    public bool PassthroughMjpeg { get; private set => SetProperty(ref field, value); }

    /// <summary>The process id of the running FFmpeg, or null.</summary>
    [ThingProperty(ReadOnly = true, Description = "The process id of the running FFmpeg, or null")]
    public int? ProcessId { get; private set => SetProperty(ref field, value); }

    /// <summary>Raised when FFmpeg cannot start or stops on its own; the camera restarts it after <see cref="CameraProblem.RetryInSeconds"/>.</summary>
    [ThingEvent(Description = "FFmpeg could not start or stopped; it is restarted after a delay")]
    public event EventHandler<CameraProblem>? Problem;

    /// <summary>Returns the newest frame as a JPEG, waiting up to 5 s for one if there is none yet.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The frame.</returns>
    /// <exception cref="ActionFailedException">No frame arrived within 5 s; the message gives the camera's status.</exception>
    [ThingAction(Description = "Capture a still: the newest frame as a JPEG image", Safe = true, OutputMediaType = "image/jpeg")]
    public async Task<Blob> CaptureJpegAsync(CancellationToken cancellationToken)
    {
        if (Stream.NewestFrame is not { } frame)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await Stream.NextFrameAsync(limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MjpegStreamStoppedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new ActionFailedException($"The camera has no frame ({Status}: {StatusMessage}).");
            }

            frame = Stream.NewestFrame!;
        }

        return Blob.FromBytes(frame.Frame, "image/jpeg");
    }

    /// <summary>Stops FFmpeg and starts it again at once (also ends a wait between restarts).</summary>
    [ThingAction(Description = "Stop FFmpeg and start it again now")]
    public void Restart() => RequestRestart();

    /// <inheritdoc />
    public void Dispose()
    {
        CancellationTokenSource? stopping;
        lock (_gate)
        {
            stopping = _stopping;
            _stopping = null;
        }

        if (stopping is not null)
        {
            stopping.Cancel();
            _runLoop?.Wait(_options.StopTimeout + TimeSpan.FromSeconds(10));
            stopping.Dispose();
        }
    }

    /// <summary>Starts FFmpeg in the background; never fails (problems show in <see cref="Status"/>).</summary>
    /// <param name="cancellationToken">Not used: FFmpeg runs until <see cref="StopAsync"/>.</param>
    /// <returns>A completed task.</returns>
    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_stopping is not null)
            {
                return Task.CompletedTask;
            }

            _stopping = new CancellationTokenSource();
            var token = _stopping.Token;
            _runLoop = Task.Run(() => RunAsync(token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Asks FFmpeg to quit, kills its process tree if it does not, and waits until it has exited.</summary>
    /// <param name="cancellationToken">Abandons the wait (FFmpeg is still killed).</param>
    /// <returns>A task that completes when FFmpeg has exited.</returns>
    protected override async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? loop;
        lock (_gate)
        {
            _stopping?.Cancel();
            loop = _runLoop;
        }

        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Changed(bool changed)
    {
        if (changed)
        {
            RequestRestart();
        }
    }

    private void RequestRestart()
    {
        CancellationTokenSource? restart;
        lock (_gate)
        {
            restart = _restart;
        }

        try
        {
            restart?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That run has ended already; the next one reads the new settings.
        }
    }

    private void RaiseProblem(CameraProblem problem) => Problem?.Invoke(this, problem);
}
