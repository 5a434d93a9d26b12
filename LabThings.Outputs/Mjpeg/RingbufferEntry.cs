namespace LabThings.Outputs;

/// <summary>One frame held by an <see cref="MjpegStream"/>: the JPEG bytes, when it was captured, and its index.</summary>
/// <param name="Frame">The complete JPEG image (starts with FF D8, ends with FF D9). Shared by every reader: do not mutate.</param>
/// <param name="Timestamp">When the frame was captured, or, if the producer gave no time, when it was added.</param>
/// <param name="Index">The frame's index: 0 for the first frame after construction or <see cref="MjpegStream.Reset"/>, then +1 per frame.</param>
public sealed record RingbufferEntry(ReadOnlyMemory<byte> Frame, DateTimeOffset Timestamp, long Index)
{
    /// <summary>Position in the stream's whole history (1 for the first frame ever added; not restarted by Reset).</summary>
    internal long Sequence { get; init; }

    /// <summary>The pooled buffer behind <see cref="Frame"/> and its references; null for a frame the stream copied.</summary>
    internal FrameLease? Lease { get; init; }
}
