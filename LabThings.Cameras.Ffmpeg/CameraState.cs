namespace LabThings.Cameras.Ffmpeg;

/// <summary>What an <see cref="FfmpegCamera"/> is doing.</summary>
public enum CameraState
{
    /// <summary>Not started, or stopped by the server.</summary>
    Stopped,

    /// <summary>FFmpeg is starting; no frame yet.</summary>
    Starting,

    /// <summary>Frames are arriving.</summary>
    Streaming,

    /// <summary>FFmpeg is missing, failed or exited; the camera waits and starts it again (see the status message).</summary>
    Failed,
}

/// <summary>The payload of <see cref="FfmpegCamera.Problem"/>: FFmpeg could not start, or stopped.</summary>
/// <param name="Message">What happened, for people: includes FFmpeg's last error line when there is one.</param>
/// <param name="ExitCode">FFmpeg's exit code, or null if it did not start.</param>
/// <param name="RetryInSeconds">How long until the next start.</param>
public sealed record CameraProblem(string Message, int? ExitCode, double RetryInSeconds);
