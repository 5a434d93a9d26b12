namespace LabThings;

/// <summary>
/// Marks a get-only property of type <see cref="Outputs.MjpegStream"/> as a live camera stream.
/// The server mounts <c>/{thing}/{name}</c> (the MJPEG stream), <c>/{thing}/{name}/viewer</c> (an HTML page)
/// and <c>/{thing}/{name}/snapshot</c> (the newest frame), and the Thing Description lists it as a
/// read-only, observable property.
/// </summary>
/// <example>
/// <code>
/// [MjpegStream(RingbufferSize = 20, Description = "Live view")]
/// public MjpegStream Stream => GetStream();
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MjpegStreamAttribute : AffordanceAttribute
{
    /// <summary>How many frames the stream keeps (at least 1). Default 10.</summary>
    public int RingbufferSize { get; set; } = Outputs.MjpegStream.DefaultRingbufferSize;
}
