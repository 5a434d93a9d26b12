using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;

namespace LabThings.Client.Internal;

/// <summary>
/// Reads the parts of a <c>multipart/x-mixed-replace</c> (or any multipart) body one by one: each part's body,
/// found by its <c>Content-Length</c> header when it has one and by the next boundary line otherwise.
/// Preamble before the first boundary, and part headers other than Content-Length, are skipped.
/// </summary>
internal static class MultipartFrameReader
{
    private const int MaxHeaderBytes = 16 * 1024;

    /// <summary>The boundary parameter of a multipart content type, or null.</summary>
    public static string? Boundary(string? contentType)
    {
        foreach (var parameter in (contentType ?? "").Split(';').Skip(1))
        {
            var pair = parameter.Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals("boundary", StringComparison.OrdinalIgnoreCase))
            {
                return pair[1].Trim().Trim('"');
            }
        }

        return null;
    }

    /// <summary>Each part's body, in order, until the body ends or the closing boundary.</summary>
    /// <exception cref="InvalidDataException">A part is larger than <paramref name="maxPartBytes"/> or its headers are broken.</exception>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadPartsAsync(
        Stream body, string boundary, int maxPartBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var lineDelimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        try
        {
            // Up to and including the first boundary line.
            if (!await SkipPastAsync(reader, delimiter, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            while (true)
            {
                // The rest of the boundary line: "--" closes the body; anything else up to CRLF is ignored.
                var line = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false);
                if (line is null || line.StartsWith("--", StringComparison.Ordinal))
                {
                    yield break;
                }

                long contentLength = -1;
                var headerBytes = 0;
                while (true)
                {
                    var header = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false);
                    if (header is null)
                    {
                        yield break;
                    }

                    if (header.Length == 0)
                    {
                        break;
                    }

                    headerBytes += header.Length;
                    if (headerBytes > MaxHeaderBytes)
                    {
                        throw new InvalidDataException("A multipart part's headers are longer than 16 KiB.");
                    }

                    var colon = header.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && header[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        if (!long.TryParse(header[(colon + 1)..].Trim(), out contentLength) || contentLength < 0)
                        {
                            throw new InvalidDataException($"A multipart part has an invalid Content-Length '{header[(colon + 1)..].Trim()}'.");
                        }
                    }
                }

                byte[]? part;
                if (contentLength >= 0)
                {
                    if (contentLength > maxPartBytes)
                    {
                        throw new InvalidDataException($"A multipart part of {contentLength} bytes is larger than the limit of {maxPartBytes}.");
                    }

                    part = await ReadExactlyAsync(reader, (int)contentLength, cancellationToken).ConfigureAwait(false);
                    if (part is null || !await SkipPastAsync(reader, delimiter, cancellationToken).ConfigureAwait(false))
                    {
                        if (part is not null)
                        {
                            yield return part;
                        }

                        yield break;
                    }
                }
                else
                {
                    part = await ReadUntilAsync(reader, lineDelimiter, maxPartBytes, cancellationToken).ConfigureAwait(false);
                    if (part is null)
                    {
                        yield break;
                    }
                }

                yield return part;
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> SkipPastAsync(PipeReader reader, byte[] delimiter, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var sequence = new SequenceReader<byte>(buffer);
            if (sequence.TryReadTo(out ReadOnlySequence<byte> _, delimiter, advancePastDelimiter: true))
            {
                reader.AdvanceTo(sequence.Position);
                return true;
            }

            // Keep the last bytes: the delimiter may straddle two reads.
            var keep = Math.Min(buffer.Length, delimiter.Length - 1);
            reader.AdvanceTo(buffer.GetPosition(buffer.Length - keep), buffer.End);
            if (result.IsCompleted)
            {
                return false;
            }
        }
    }

    private static async Task<string?> ReadLineAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var sequence = new SequenceReader<byte>(buffer);
            if (sequence.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
            {
                var text = Encoding.ASCII.GetString(line).TrimEnd('\r');
                reader.AdvanceTo(sequence.Position);
                return text;
            }

            if (buffer.Length > MaxHeaderBytes)
            {
                throw new InvalidDataException("A multipart header line is longer than 16 KiB.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    private static async Task<byte[]?> ReadExactlyAsync(PipeReader reader, int length, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(length, cancellationToken).ConfigureAwait(false);
        if (result.Buffer.Length < length)
        {
            reader.AdvanceTo(result.Buffer.End);
            return null;
        }

        var part = result.Buffer.Slice(0, length).ToArray();
        reader.AdvanceTo(result.Buffer.GetPosition(length));
        return part;
    }

    private static async Task<byte[]?> ReadUntilAsync(PipeReader reader, byte[] delimiter, int maxPartBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var sequence = new SequenceReader<byte>(buffer);
            if (sequence.TryReadTo(out ReadOnlySequence<byte> part, delimiter, advancePastDelimiter: true))
            {
                var bytes = part.ToArray();
                reader.AdvanceTo(sequence.Position);
                return bytes;
            }

            if (buffer.Length > maxPartBytes + delimiter.Length)
            {
                throw new InvalidDataException($"A multipart part is larger than the limit of {maxPartBytes} bytes.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }
}
