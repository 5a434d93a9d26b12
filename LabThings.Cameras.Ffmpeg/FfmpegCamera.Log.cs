using Microsoft.Extensions.Logging;

namespace LabThings.Cameras.Ffmpeg;

public sealed partial class FfmpegCamera
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Camera '{ThingName}': FFmpeg started (process {ProcessId}): ffmpeg {Arguments}", EventName = "FfmpegStarted")]
        public static partial void FfmpegStarted(ILogger logger, string? thingName, int processId, string arguments);

        [LoggerMessage(2, LogLevel.Warning, "Camera '{ThingName}': {Problem}; restarting in {DelaySeconds} s", EventName = "FfmpegStopped")]
        public static partial void FfmpegStopped(ILogger logger, string? thingName, string problem, double delaySeconds);

        [LoggerMessage(3, LogLevel.Information, "Camera '{ThingName}': FFmpeg: {Line}", EventName = "FfmpegOutput")]
        public static partial void FfmpegSaid(ILogger logger, string? thingName, string line);

        [LoggerMessage(4, LogLevel.Error, "Camera '{ThingName}': the capture loop failed", EventName = "CameraRunFailed")]
        public static partial void RunFailed(ILogger logger, Exception exception, string? thingName);

        [LoggerMessage(6, LogLevel.Warning, "Camera '{ThingName}': FFmpeg exited but its output stayed open (a process it started still holds it); reading stopped", EventName = "FfmpegOutputAbandoned")]
        public static partial void OutputAbandoned(ILogger logger, string? thingName);

        [LoggerMessage(5, LogLevel.Warning, "Camera '{ThingName}': a frame from FFmpeg was not a complete JPEG and was dropped", EventName = "CameraBadFrame")]
        public static partial void BadFrame(ILogger logger, Exception exception, string? thingName);
    }
}
