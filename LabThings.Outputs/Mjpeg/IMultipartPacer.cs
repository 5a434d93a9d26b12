using System.IO.Pipelines;

namespace LabThings.Outputs;

/// <summary>
/// Decides when a multipart writer may choose its next frame. The server supplies one per stream connection that
/// holds a slow client back until it has read what it was sent, so the frame it gets next is fresh.
/// </summary>
internal interface IMultipartPacer
{
    /// <summary>Called after each part is written and flushed; the next frame is chosen when the task completes.</summary>
    /// <param name="writer">The body. While it waits, the pacer may write and flush the first bytes of the next part's
    /// header (<paramref name="nextPartStart"/>), a byte at a time: new data makes the client's kernel acknowledge it with
    /// its current receive window, the only sign a server gets of how much the client has read.</param>
    /// <param name="nextPartStart">How the next part begins, whatever its frame.</param>
    /// <param name="partBytes">How many bytes the part took, from its header to the boundary after it.</param>
    /// <param name="flushWait">How long the flush after the part waited for the connection to take the data.</param>
    /// <param name="streamEnded">True once the stream has stopped: the pacer stops waiting then, so the response ends promptly.</param>
    /// <param name="cancellationToken">The stream's end.</param>
    /// <returns>How many bytes of <paramref name="nextPartStart"/> the pacer wrote and flushed.</returns>
    ValueTask<int> AfterPartAsync(PipeWriter writer, ReadOnlyMemory<byte> nextPartStart, int partBytes, TimeSpan flushWait, Func<bool> streamEnded, CancellationToken cancellationToken);
}
