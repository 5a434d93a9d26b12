using System.Buffers.Text;
using System.Text;

namespace LabThings.Tests.Support;

/// <summary>What <see cref="MultipartParser"/> finds, in order. The spans are only valid during the call.</summary>
internal interface IMultipartHandler
{
    /// <summary>A boundary line: the first opens the body, each later one closes the part before it. Ignored by default.</summary>
    void OnBoundary()
    {
    }

    /// <summary>One header line of a part, name and value trimmed. Ignored by default.</summary>
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
    }

    /// <summary>The next bytes of the current part's body (it may come in any number of pieces).</summary>
    void OnBody(ReadOnlySpan<byte> data);

    /// <summary>The current part's <c>Content-Length</c> bytes have all arrived.</summary>
    void OnPartEnd();
}

/// <summary>
/// A strict, push-style parser of <c>multipart/x-mixed-replace</c> bodies as LabThings writes them: the body opens
/// with <c>--boundary</c>; each part has header lines, a blank line, exactly <c>Content-Length</c> bytes, then CRLF
/// and the next boundary line. Lines end with CRLF. Any deviation throws <see cref="InvalidDataException"/>.
/// </summary>
/// <remarks>
/// Compiled into the tests (where <see cref="MultipartReader"/> wraps it) and the benchmarks (whose MJPEG clients
/// feed it from raw sockets). Feeding does not allocate: body bytes are handed on in place, header lines are
/// gathered in one small buffer. Not thread-safe: one parser per response.
/// </remarks>
internal sealed class MultipartParser(string boundary = "frame")
{
    private const int MaxLine = 1024;

    private readonly byte[] _boundaryLine = Encoding.ASCII.GetBytes("--" + boundary);
    private readonly byte[] _line = new byte[MaxLine];
    private State _state = State.Opening;
    private int _lineLength;
    private int _headers;
    private long _contentLength = -1;
    private long _bodyRemaining;

    private enum State
    {
        Opening,
        Headers,
        Body,
        BodyCrLf,
        Boundary,
    }

    /// <summary>Consumes <paramref name="data"/>, calling <paramref name="handler"/> for everything it completes.</summary>
    /// <exception cref="InvalidDataException">The bytes break the format.</exception>
    public void Feed(ReadOnlySpan<byte> data, IMultipartHandler handler)
    {
        while (!data.IsEmpty)
        {
            if (_state == State.Body)
            {
                var n = (int)Math.Min(_bodyRemaining, data.Length);
                handler.OnBody(data[..n]);
                data = data[n..];
                _bodyRemaining -= n;
                if (_bodyRemaining == 0)
                {
                    _state = State.BodyCrLf;
                    handler.OnPartEnd();
                }

                continue;
            }

            var lf = data.IndexOf((byte)'\n');
            var piece = lf < 0 ? data : data[..(lf + 1)];
            if (_lineLength + piece.Length > MaxLine)
            {
                throw new InvalidDataException("A multipart line longer than 1024 bytes.");
            }

            piece.CopyTo(_line.AsSpan(_lineLength));
            _lineLength += piece.Length;
            data = data[piece.Length..];
            if (lf >= 0)
            {
                var line = _line.AsSpan(0, _lineLength);
                _lineLength = 0;
                if (line.Length < 2 || line[^2] != '\r')
                {
                    throw new InvalidDataException("Lines end with CRLF, not a bare LF.");
                }

                OnLine(line[..^2], handler);
            }
        }
    }

    /// <summary>Call when the body has ended.</summary>
    /// <returns>True if it ended right after a boundary line (or was empty), the only clean end.</returns>
    /// <exception cref="EndOfStreamException">It ended inside a line or a part's body.</exception>
    /// <exception cref="InvalidDataException">It ended between a part's lines.</exception>
    public bool End()
    {
        if (_lineLength > 0 || _state == State.Body)
        {
            throw new EndOfStreamException("The body ended in the middle of a line or a part.");
        }

        return _state is State.Opening || (_state == State.Headers && _headers == 0)
            ? true
            : throw new InvalidDataException("The body may only end right after a boundary line.");
    }

    private void OnLine(ReadOnlySpan<byte> line, IMultipartHandler handler)
    {
        switch (_state)
        {
            case State.Opening or State.Boundary:
                if (!line.SequenceEqual(_boundaryLine))
                {
                    throw new InvalidDataException($"Expected the boundary line, got '{Encoding.ASCII.GetString(line)}'.");
                }

                _state = State.Headers;
                _headers = 0;
                handler.OnBoundary();
                break;
            case State.BodyCrLf:
                _state = line.IsEmpty ? State.Boundary : throw new InvalidDataException("A part's body must be followed by CRLF.");
                break;
            case State.Headers when line.IsEmpty:
                _bodyRemaining = _contentLength >= 0 ? _contentLength : throw new InvalidDataException("A part without Content-Length.");
                _contentLength = -1;
                _state = _bodyRemaining > 0 ? State.Body : State.BodyCrLf;
                if (_bodyRemaining == 0)
                {
                    handler.OnPartEnd();
                }

                break;
            case State.Headers:
                var colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    throw new InvalidDataException($"'{Encoding.ASCII.GetString(line)}' is not a header line.");
                }

                var name = line[..colon].Trim((byte)' ');
                var value = line[(colon + 1)..].Trim((byte)' ');
                _headers++;
                if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8)
                    && (!Utf8Parser.TryParse(value, out _contentLength, out var used) || used != value.Length || _contentLength < 0))
                {
                    throw new InvalidDataException($"Bad Content-Length '{Encoding.ASCII.GetString(value)}'.");
                }

                handler.OnHeader(name, value);
                break;
        }
    }
}
