using System.Buffers;
using System.IO.Pipelines;

namespace LabThings.Outputs;

public sealed partial class MjpegStream
{
    /// <summary>The multipart boundary used by <see cref="WriteMultipartAsync"/>.</summary>
    public const string Boundary = "frame";

    /// <summary>The media type of the body written by <see cref="WriteMultipartAsync"/>.</summary>
    public const string MultipartContentType = "multipart/x-mixed-replace; boundary=" + Boundary;

    private static ReadOnlySpan<byte> OpeningBoundary => "--frame\r\n"u8;

    private static ReadOnlySpan<byte> PartHeaderStart => "Content-Type: image/jpeg\r\nContent-Length: "u8;

    private static ReadOnlySpan<byte> PartTrailer => "\r\n--frame\r\n"u8;

    /// <summary>
    /// Writes the stream as a <c>multipart/x-mixed-replace; boundary=frame</c> body until the stream
    /// stops, the reader goes away, or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="writer">Where to write, e.g. an HTTP response's body writer. It is flushed after every part and not completed.</param>
    /// <param name="cancellationToken">Ends the body early, with <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task that completes when the stream stops or the writer reports that its reader has gone.</returns>
    /// <remarks>
    /// <para>
    /// The body opens with <c>--frame</c>. Each part is <c>Content-Type: image/jpeg</c>, <c>Content-Length</c>,
    /// a blank line and the JPEG, followed at once by the next <c>--frame</c> line, so a client can show a
    /// frame as soon as it has it. The first part is the newest frame, sent at once if there is one.
    /// </para>
    /// <para>
    /// After each part the writer is flushed and the next part is the newest frame at that time:
    /// a slow reader skips frames, and holds at most one part plus the writer's own buffer.
    /// Frames are shared, not copied per reader, beyond the copy into the writer.
    /// </para>
    /// </remarks>
    public async Task WriteMultipartAsync(PipeWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Interlocked.Increment(ref _clients);
        var stops = Interlocked.Read(ref _stopCount);
        try
        {
            writer.Write(OpeningBoundary);
            var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            long seen = 0;
            while (!flush.IsCompleted && !flush.IsCanceled
                   && await WaitForFrameAfterAsync(seen, stops, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                // A pooled frame is held only while it is copied into the writer.
                var lease = entry.Lease;
                if (lease is not null && !lease.TryAcquire())
                {
                    continue; // released just now: a newer frame is there
                }

                try
                {
                    WritePart(writer, entry.Frame.Span);
                }
                finally
                {
                    lease?.Release();
                }

                seen = entry.Sequence;
                flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _clients);
        }
    }

    private static void WritePart(PipeWriter writer, ReadOnlySpan<byte> jpeg)
    {
        var header = writer.GetSpan(PartHeaderStart.Length + 16);
        PartHeaderStart.CopyTo(header);
        var written = PartHeaderStart.Length;
        jpeg.Length.TryFormat(header[written..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        written += digits;
        "\r\n\r\n"u8.CopyTo(header[written..]);
        writer.Advance(written + 4);
        writer.Write(jpeg);
        writer.Write(PartTrailer);
    }
}
