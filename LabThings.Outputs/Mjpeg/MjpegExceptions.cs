namespace LabThings.Outputs;

/// <summary>
/// Thrown by the waiting members of <see cref="MjpegStream"/> (<see cref="MjpegStream.NextFrameAsync"/>,
/// <see cref="MjpegStream.GrabFrameAsync"/>, <see cref="MjpegStream.NextFrameSizeAsync"/>) when the stream
/// is stopped while they wait, or was already stopped when they were called.
/// </summary>
/// <remarks><see cref="MjpegStream.ReadFramesAsync"/> does not throw this: its enumeration simply ends.</remarks>
public sealed class MjpegStreamStoppedException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public MjpegStreamStoppedException()
        : base("The MJPEG stream has been stopped; no further frames will arrive until it is reset.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    /// <param name="message">What happened.</param>
    public MjpegStreamStoppedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public MjpegStreamStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown by <see cref="MjpegStream.GetRingbufferEntry"/> when the requested frame is not in the ring buffer.
/// The two concrete cases are <see cref="FrameOverwrittenException"/> and <see cref="FrameNotYetAcquiredException"/>.
/// </summary>
public abstract class FrameNotAvailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="requestedIndex">The index that was asked for.</param>
    /// <param name="lastFrameIndex">The newest frame's index when it was asked for (-1 if none yet).</param>
    private protected FrameNotAvailableException(string message, long requestedIndex, long lastFrameIndex)
        : base(message)
    {
        RequestedIndex = requestedIndex;
        LastFrameIndex = lastFrameIndex;
    }

    /// <summary>The index that was asked for.</summary>
    public long RequestedIndex { get; }

    /// <summary>The newest frame's index at the time of the request; -1 if there was no frame yet.</summary>
    public long LastFrameIndex { get; }
}

/// <summary>The requested frame was in the ring buffer once but has been replaced by newer frames.</summary>
public sealed class FrameOverwrittenException : FrameNotAvailableException
{
    internal FrameOverwrittenException(long requestedIndex, long lastFrameIndex, int ringbufferSize)
        : base(
            $"Frame {requestedIndex} has been overwritten: the ring buffer holds {ringbufferSize} frames and the newest is {lastFrameIndex}.",
            requestedIndex,
            lastFrameIndex)
    {
    }
}

/// <summary>The requested frame has not been added yet.</summary>
public sealed class FrameNotYetAcquiredException : FrameNotAvailableException
{
    internal FrameNotYetAcquiredException(long requestedIndex, long lastFrameIndex)
        : base(
            lastFrameIndex < 0
                ? $"Frame {requestedIndex} has not been acquired yet: the stream has no frames."
                : $"Frame {requestedIndex} has not been acquired yet: the newest frame is {lastFrameIndex}.",
            requestedIndex,
            lastFrameIndex)
    {
    }
}
