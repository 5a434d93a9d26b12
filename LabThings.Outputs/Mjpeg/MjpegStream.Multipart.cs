using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;

namespace LabThings.Outputs;

public sealed partial class MjpegStream
{
    /// <summary>The multipart boundary used by <see cref="WriteMultipartAsync"/>.</summary>
    public const string Boundary = "frame";

    /// <summary>The media type of the body written by <see cref="WriteMultipartAsync"/>.</summary>
    public const string MultipartContentType = "multipart/x-mixed-replace; boundary=" + Boundary;

    private static ReadOnlySpan<byte> OpeningBoundary => "--frame\r\n"u8;

    /// <summary>How every part begins; a pacer may send some of it early (see <see cref="IMultipartPacer"/>).</summary>
    internal static ReadOnlyMemory<byte> PartHeaderStart { get; } = "Content-Type: image/jpeg\r\nContent-Length: "u8.ToArray();

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
    public Task WriteMultipartAsync(PipeWriter writer, CancellationToken cancellationToken = default)
        => WriteMultipartCoreAsync(writer, pacer: null, limiter: null, cancellationToken);

    /// <summary>
    /// As the public overload, with a pacer asked after each part when the next frame may be chosen, and a limiter
    /// that bounds how many parts (of all the streams sharing it) are in flight at once.
    /// </summary>
    internal async Task WriteMultipartCoreAsync(PipeWriter writer, IMultipartPacer? pacer, StreamSendLimiter? limiter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Interlocked.Increment(ref _clients);
        var stops = Interlocked.Read(ref _stopCount);

        // One delegate and one slot hold for the whole response, not one per part.
        Func<bool>? streamEnded = pacer is null ? null : StreamEnded;
        var hold = limiter is null ? null : new StreamSendLimiter.SlotHold();
        try
        {
            writer.Write(OpeningBoundary);
            var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            long seen = 0;
            var prefixSent = 0; // bytes of the next part's header a pacer has already written
            var slow = false; // the last part outlasted the limiter's hold: the next one goes without a slot
            while (!flush.IsCompleted && !flush.IsCanceled)
            {
                // The wait is in this method rather than in WaitForFrameAfterAsync: this method's state machine exists
                // for the whole response, while each call of that one would box its own for every frame waited for.
                var first = NewerFrame(seen, stops, out var signal);
                if (first is null)
                {
                    if (signal is null)
                    {
                        break; // stopped
                    }

                    await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var holding = false;
                if (limiter is not null && !slow)
                {
                    await limiter.EnterAsync(hold!, cancellationToken).ConfigureAwait(false);
                    holding = true;
                }

                int partBytes;
                TimeSpan flushWait;
                try
                {
                    if (StreamEnded())
                    {
                        break;
                    }

                    // After waiting for a slot, the newest frame (not the one that woke this writer).
                    var entry = Volatile.Read(ref _newest) is { } newer && newer.Sequence > first.Sequence ? newer : first;

                    // A pooled frame is held only while it is copied into the writer.
                    var lease = entry.Lease;
                    if (lease is not null && !lease.TryAcquire())
                    {
                        continue; // released just now: a newer frame is there
                    }

                    try
                    {
                        partBytes = WritePart(writer, entry.Frame.Span, prefixSent);
                        prefixSent = 0;
                    }
                    finally
                    {
                        lease?.Release();
                    }

                    seen = entry.Sequence;
                    var flushStarted = limiter?.Time.GetTimestamp() ?? Stopwatch.GetTimestamp();
                    var pending = writer.FlushAsync(cancellationToken);
                    if (holding)
                    {
                        holding = false;
                        flush = await limiter!.FlushAndExitAsync(pending, hold!).ConfigureAwait(false);
                    }
                    else
                    {
                        flush = await pending.ConfigureAwait(false);
                    }

                    flushWait = limiter?.Time.GetElapsedTime(flushStarted) ?? Stopwatch.GetElapsedTime(flushStarted);
                    slow = limiter is not null && flushWait >= limiter.Hold;
                }
                finally
                {
                    if (holding)
                    {
                        limiter!.Exit();
                    }
                }

                if (pacer is not null && !flush.IsCompleted && !flush.IsCanceled)
                {
                    prefixSent = await pacer.AfterPartAsync(writer, PartHeaderStart, partBytes, flushWait, streamEnded!, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _clients);
        }

        bool StreamEnded() => Volatile.Read(ref _stopped) || Interlocked.Read(ref _stopCount) != stops;
    }

    /// <returns>How many bytes were written.</returns>
    private static int WritePart(PipeWriter writer, ReadOnlySpan<byte> jpeg, int prefixSent)
    {
        var start = PartHeaderStart.Span[prefixSent..];
        var header = writer.GetSpan(start.Length + 16);
        start.CopyTo(header);
        var written = start.Length;
        jpeg.Length.TryFormat(header[written..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        written += digits;
        "\r\n\r\n"u8.CopyTo(header[written..]);
        writer.Advance(written + 4);
        writer.Write(jpeg);
        writer.Write(PartTrailer);
        return written + 4 + jpeg.Length + PartTrailer.Length;
    }
}
