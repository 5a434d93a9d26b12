namespace LabThings.Outputs;

/// <summary>
/// A Thing that is a camera: it has a live MJPEG stream. Other Things use a camera through a <c>[ThingSlot]</c> of this
/// type without knowing which kind it is, so the same code works with a synthetic camera in tests and an FFmpeg-backed
/// webcam on the bench.
/// </summary>
public interface ICamera
{
    /// <summary>The camera's live stream: its newest frames as JPEGs.</summary>
    MjpegStream Stream { get; }
}
