using System.Text;

namespace LabThings.Benchmarks;

/// <summary>
/// A minimal, allocation-free parser for an HTTP/1.1 response carrying <c>multipart/x-mixed-replace</c>:
/// the status line and headers, chunked transfer coding (or none), then parts found by their
/// <c>Content-Length</c>. Only the first <see cref="FakeFrames.StampBytes"/> bytes of each body are kept.
/// </summary>
internal sealed class MultipartParser
{
    private const int MaxLine = 1024;
    private const int MaxHeaders = 8192;

    private readonly byte[] _line = new byte[MaxHeaders];
    private readonly byte[] _stamp = new byte[FakeFrames.StampBytes];
    private Http _http = Http.Headers;
    private int _lineLength;
    private long _chunkRemaining;
    private bool _inBody;
    private long _contentLength = -1;
    private long _bodyRemaining;
    private int _stampLength;

    private enum Http
    {
        Headers,
        ChunkSize,
        ChunkExtension,
        ChunkSizeLf,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        Identity,
        Done,
    }

    /// <summary>True once the response headers have been read and the status was 200.</summary>
    public bool HeadersDone { get; private set; }

    /// <summary>True when the body has ended (last chunk).</summary>
    public bool Ended => _http == Http.Done;

    /// <summary>
    /// Consumes received bytes; calls <paramref name="onFrame"/> with each completed part's stamp
    /// (the first bytes of its body) and length.
    /// </summary>
    public void Feed(ReadOnlySpan<byte> data, FrameHandler onFrame)
    {
        while (!data.IsEmpty)
        {
            switch (_http)
            {
                case Http.Headers:
                    data = FeedHeaders(data);
                    break;
                case Http.Identity:
                    FeedBody(data, onFrame);
                    return;
                case Http.ChunkData:
                    var n = (int)Math.Min(_chunkRemaining, data.Length);
                    FeedBody(data[..n], onFrame);
                    data = data[n..];
                    _chunkRemaining -= n;
                    if (_chunkRemaining == 0)
                    {
                        _http = Http.ChunkDataCr;
                    }

                    break;
                case Http.Done:
                    return;
                default:
                    FeedChunkFraming(data[0]);
                    data = data[1..];
                    break;
            }
        }
    }

    private void FeedChunkFraming(byte b)
    {
        switch (_http)
        {
            case Http.ChunkSize when b == '\r':
                _http = Http.ChunkSizeLf;
                break;
            case Http.ChunkSize when b == ';':
                _http = Http.ChunkExtension;
                break;
            case Http.ChunkSize:
                _chunkRemaining = (_chunkRemaining * 16) + HexValue(b);
                break;
            case Http.ChunkExtension:
                _http = b == '\r' ? Http.ChunkSizeLf : Http.ChunkExtension;
                break;
            case Http.ChunkSizeLf:
                Expect(b, '\n');
                _http = _chunkRemaining == 0 ? Http.Done : Http.ChunkData;
                break;
            case Http.ChunkDataCr:
                Expect(b, '\r');
                _http = Http.ChunkDataLf;
                break;
            case Http.ChunkDataLf:
                Expect(b, '\n');
                _http = Http.ChunkSize;
                _chunkRemaining = 0;
                break;
            default:
                throw new InvalidOperationException($"Parser state {_http}.");
        }
    }

    private ReadOnlySpan<byte> FeedHeaders(ReadOnlySpan<byte> data)
    {
        var take = Math.Min(data.Length, MaxHeaders - _lineLength);
        data[..take].CopyTo(_line.AsSpan(_lineLength));
        var before = _lineLength;
        _lineLength += take;
        var end = _line.AsSpan(0, _lineLength).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (_lineLength == MaxHeaders)
            {
                throw new InvalidDataException("Response headers too long.");
            }

            return [];
        }

        var headers = Encoding.ASCII.GetString(_line, 0, end);
        if (!headers.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Unexpected response: {headers.Split('\r')[0]}");
        }

        _http = headers.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Http.ChunkSize : Http.Identity;
        HeadersDone = true;
        _lineLength = 0;
        return data[(end + 4 - before)..];
    }

    private void FeedBody(ReadOnlySpan<byte> data, FrameHandler onFrame)
    {
        while (!data.IsEmpty)
        {
            if (_inBody)
            {
                var n = (int)Math.Min(_bodyRemaining, data.Length);
                if (_stampLength < _stamp.Length)
                {
                    var s = Math.Min(_stamp.Length - _stampLength, n);
                    data[..s].CopyTo(_stamp.AsSpan(_stampLength));
                    _stampLength += s;
                }

                data = data[n..];
                _bodyRemaining -= n;
                if (_bodyRemaining == 0)
                {
                    onFrame(_stamp.AsSpan(0, _stampLength), _contentLength);
                    _inBody = false;
                    _contentLength = -1;
                    _stampLength = 0;
                }

                continue;
            }

            var lf = data.IndexOf((byte)'\n');
            var piece = lf < 0 ? data : data[..lf];
            if (_lineLength + piece.Length > MaxLine)
            {
                throw new InvalidDataException("Multipart header line too long.");
            }

            piece.CopyTo(_line.AsSpan(_lineLength));
            _lineLength += piece.Length;
            if (lf < 0)
            {
                return;
            }

            data = data[(lf + 1)..];
            var line = _line.AsSpan(0, _lineLength).TrimEnd((byte)'\r');
            _lineLength = 0;
            if (line.IsEmpty)
            {
                if (_contentLength > 0)
                {
                    _inBody = true;
                    _bodyRemaining = _contentLength;
                }
            }
            else if (line.StartsWith("Content-Length:"u8))
            {
                _contentLength = long.Parse(Encoding.ASCII.GetString(line["Content-Length:"u8.Length..]).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    private static void Expect(byte actual, char expected)
    {
        if (actual != expected)
        {
            throw new InvalidDataException($"Chunk framing: expected 0x{(int)expected:X2}, got 0x{actual:X2}.");
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => throw new InvalidDataException($"Chunk size: unexpected byte 0x{b:X2}."),
    };
}
