using System.ComponentModel;
using System.Diagnostics;
using LabThings.Outputs;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LabThings.Examples;

/// <summary>
/// A camera with no hardware: it renders a moving test pattern with the frame number drawn in,
/// encodes each frame as a real JPEG and adds it to its MJPEG stream at <see cref="FrameRate"/>.
/// </summary>
[DisplayName("Synthetic camera")]
[Description("A synthetic camera that streams a moving test pattern with the frame number drawn in")]
public sealed partial class SyntheticCamera : Thing, ICamera, IDisposable
{
    private readonly TestPatternRenderer _renderer;
    private readonly TimeProvider _timeProvider;
    private CancellationTokenSource? _capture;
    private Task? _captureLoop;

    /// <summary>Creates the camera.</summary>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="timeProvider">The clock that paces frames; the system clock if null.</param>
    public SyntheticCamera(int width = 640, int height = 480, TimeProvider? timeProvider = null)
    {
        _renderer = new TestPatternRenderer(width, height);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The live view.</summary>
    [MjpegStream(RingbufferSize = 10, Description = "Live view of the test pattern")]
    public MjpegStream Stream => GetStream();

    /// <summary>Frames per second, from 0.1 to 120. Takes effect from the next frame.</summary>
    [ThingProperty(Minimum = 0.1, Maximum = 120, Unit = "Hz", Description = "Frames per second; takes effect from the next frame")]
    public double FrameRate { get; set => SetProperty(ref field, value); } = 10;

    /// <summary>Frames produced since the stream was last reset.</summary>
    [ThingProperty(Description = "Frames produced since the camera started")]
    public long FrameCount => Stream.LastFrameIndex + 1;

    /// <summary>Raised when the sensor is too hot (here: when a client asks for it with <see cref="SimulateOverheat"/>).</summary>
    /// <summary>The stage carrying the sample, when there is one: the picture blurs as its z leaves focus.</summary>
    [ThingSlot]
    public Stage? Stage { get; private set; }

    [ThingEvent(Description = "The sensor is too hot")]
    public event EventHandler<OverheatWarning>? Overheated;

    /// <summary>Raises <see cref="Overheated"/>, so clients can try event subscriptions.</summary>
    /// <param name="temperature">The temperature to report, in °C.</param>
    [ThingAction(Description = "Pretend the sensor is too hot: raises the overheated event")]
    public void SimulateOverheat([Description("Sensor temperature in °C")] double temperature = 85)
        => Overheated?.Invoke(this, new OverheatWarning(temperature, $"Sensor at {temperature:0.#} °C, above its 70 °C limit"));

    /// <summary>The camera's part of every Thing's state (embedded in captures).</summary>
    public override object? ThingState => new { frame_rate = FrameRate, frames = FrameCount };

    /// <summary>The newest frame as a JPEG blob, with every Thing's state in a JPEG comment.</summary>
    /// <returns>The frame.</returns>
    /// <exception cref="ActionFailedException">The camera has not produced a frame yet.</exception>
    [ThingAction(Description = "Capture the newest frame as a JPEG image, with the state of every Thing on the server in its metadata (a JPEG comment holding JSON)", Safe = true, OutputMediaType = "image/jpeg")]
    public Blob CaptureJpeg()
        => Stream.NewestFrame is { } frame
            ? Blob.FromBytes(JpegComment.Insert(frame.Frame.Span, JsonSerializer.SerializeToUtf8Bytes(GetThingStates(), LabThingsJson.Options)), "image/jpeg")
            : throw new ActionFailedException("The camera has not produced a frame yet.");

    /// <summary>The newest frame scaled down, for galleries and previews: a plain HTTP endpoint, not an affordance.</summary>
    /// <param name="width">The thumbnail's width in pixels (16 to 640); the height keeps the aspect ratio.</param>
    /// <returns>A JPEG, 400 for a bad width, or 503 before the first frame.</returns>
    [HttpEndpoint("GET", "thumbnail", Summary = "The newest frame, scaled down", Description = "A JPEG of the newest frame at the given width (16 to 640 pixels, default 160).")]
    public IResult Thumbnail(int width = 160)
    {
        if (width is < 16 or > 640)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad width", detail: $"width must be from 16 to 640 pixels, not {width}.");
        }

        if (Stream.NewestFrame is not { } frame)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No frame yet", detail: "The camera has not produced a frame yet.");
        }

        using var full = SkiaSharp.SKBitmap.Decode(frame.Frame.Span);
        using var small = full.Resize(new SkiaSharp.SKImageInfo(width, Math.Max(1, full.Height * width / full.Width)), new SkiaSharp.SKSamplingOptions(SkiaSharp.SKFilterMode.Linear));
        using var data = small.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80);
        return Results.File(data.ToArray(), "image/jpeg");
    }

    /// <summary>Waits for the next frame and returns its size in bytes (a sharpness metric for autofocus).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The size in bytes.</returns>
    [ThingAction(Description = "Size in bytes of the next frame (a sharpness metric)", Safe = true)]
    public Task<int> NextFrameSizeAsync(CancellationToken cancellationToken) => Stream.NextFrameSizeAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _capture?.Dispose();
        _renderer.Dispose();
    }

    /// <summary>Starts the capture loop.</summary>
    /// <param name="cancellationToken">Not used: the loop runs until <see cref="StopAsync"/>.</param>
    /// <returns>A completed task.</returns>
    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        _capture = new CancellationTokenSource();
        _captureLoop = Task.Run(() => CaptureLoopAsync(_capture.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops the capture loop and waits for it to end.</summary>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>A task that completes when the loop has ended.</returns>
    protected override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_capture is null || _captureLoop is null)
        {
            return;
        }

        await _capture.CancelAsync();
        await _captureLoop.WaitAsync(cancellationToken);
    }

    private async Task CaptureLoopAsync(CancellationToken cancellationToken)
    {
        var frameNumber = 0L;
        var next = _timeProvider.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Out of focus by d steps blurs with a radius of d/25 pixels (as a lens would, roughly).
                var blur = Stage is { } stage ? stage.Defocus / 25f : 0;
                Stream.AddFrame(_renderer.Render(frameNumber++, blur), _timeProvider.GetUtcNow());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.FrameFailed(Logger, ex);
            }

            // Pace against an absolute schedule so rendering time does not lower the frame rate;
            // if we fall behind by more than a frame, start the schedule again from now.
            next += (long)(_timeProvider.TimestampFrequency / FrameRate);
            var now = _timeProvider.GetTimestamp();
            if (next < now - _timeProvider.TimestampFrequency)
            {
                next = now;
            }

            var wait = _timeProvider.GetElapsedTime(now, next);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        Debug.WriteLine("Synthetic camera capture loop ended.");
    }

    private static partial class Log
    {
        [Microsoft.Extensions.Logging.LoggerMessage(1, Microsoft.Extensions.Logging.LogLevel.Error, "Rendering a frame failed")]
        public static partial void FrameFailed(Microsoft.Extensions.Logging.ILogger logger, Exception exception);
    }
}

/// <summary>The payload of <see cref="SyntheticCamera.Overheated"/>.</summary>
/// <param name="Temperature">The sensor's temperature in °C.</param>
/// <param name="Message">A sentence for people.</param>
public sealed record OverheatWarning(double Temperature, string Message);
