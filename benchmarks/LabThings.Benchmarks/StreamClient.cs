using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LabThings.Tests.Support;

namespace LabThings.Benchmarks;

/// <summary>The MJPEG clients of one run, all reading <c>/camera/stream</c>: the normal ones at full speed, then the slow ones throttled.</summary>
internal sealed record MjpegPlan(int Port, double WarmupSeconds, double Seconds, int NormalClients, int SlowClients, int SlowRateBytesPerSecond, int SlowReceiveBufferBytes)
    : LoadPlan<StreamResult>(Port, WarmupSeconds, Seconds, 0)
{
    public override IReadOnlyList<LoadClient<StreamResult>> CreateClients(LoadWindow window)
    {
        var request = Encoding.ASCII.GetBytes($"GET /camera/stream HTTP/1.1\r\nHost: 127.0.0.1:{Port}\r\nAccept: multipart/x-mixed-replace\r\n\r\n");
        return [.. Enumerable.Range(0, NormalClients + SlowClients).Select(i => i < NormalClients
            ? new StreamClient(window, Port, request, 0, 0)
            : new StreamClient(window, Port, request, SlowRateBytesPerSecond, SlowReceiveBufferBytes))];
    }
}

/// <summary>What one MJPEG client saw.</summary>
/// <param name="Frames">Whole frames received in the window.</param>
/// <param name="Bytes">Bytes received in the window (HTTP framing included).</param>
/// <param name="OutOfOrder">Parts whose frame id was not newer than the previous part's (should be 0).</param>
/// <param name="LatencyMicros">A normal client's frames received in the window: AddFrame → last byte received, µs.</param>
/// <param name="SlowFrames">Every frame a slow client received, warm-up included.</param>
internal sealed record StreamResult(bool Slow, int Frames, long Bytes, int OutOfOrder, List<int> LatencyMicros, List<SlowFrame> SlowFrames);

/// <param name="AgeMicros">AddFrame → last byte received, µs.</param>
internal sealed record SlowFrame(long Id, int AgeMicros, bool InWindow);

/// <summary>
/// One HTTP/1.1 client on a raw socket: GETs the stream, undoes the chunked transfer coding, hands the body to the
/// <see cref="MultipartParser"/> shared with the tests, and times each whole frame by the stamp in its first bytes.
/// A slow client reads 4 KiB at a time, paced by a token bucket. Allocation-free while reading.
/// </summary>
internal sealed class StreamClient(LoadWindow window, int port, byte[] request, int slowRate, int receiveBufferBytes)
    : LoadClient<StreamResult>, IMultipartHandler
{
    private const int SlowReadBytes = 4096;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly MultipartParser _parser = new();
    private readonly byte[] _head = new byte[8192];
    private readonly byte[] _stamp = new byte[FakeFrames.StampBytes];
    private readonly List<int> _latencies = [];
    private readonly List<SlowFrame> _slowFrames = [];
    private Http _http = Http.Head;
    private int _headLength;
    private long _chunk;
    private int _stampLength;
    private long _now;
    private long _lastId;
    private int _frames;
    private long _bytes;
    private int _outOfOrder;

    private enum Http
    {
        Head,
        Size,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        Done,
    }

    private bool IsSlow => slowRate > 0;

    public override StreamResult Result() => new(IsSlow, _frames, _bytes, _outOfOrder, _latencies, _slowFrames);

    public override void Dispose() => _socket.Dispose();

    void IMultipartHandler.OnBody(ReadOnlySpan<byte> data)
    {
        var n = Math.Min(_stamp.Length - _stampLength, data.Length);
        data[..n].CopyTo(_stamp.AsSpan(_stampLength));
        _stampLength += n;
    }

    void IMultipartHandler.OnPartEnd()
    {
        var complete = _stampLength == _stamp.Length;
        _stampLength = 0;
        if (!complete)
        {
            return;
        }

        var (id, timestamp) = FakeFrames.Read(_stamp);
        _outOfOrder += id <= _lastId ? 1 : 0;
        _lastId = id;
        var micros = (int)Math.Min(int.MaxValue, (_now - timestamp) * 1_000_000 / Stopwatch.Frequency);
        var inWindow = window.Contains(_now);
        if (IsSlow)
        {
            _slowFrames.Add(new SlowFrame(id, micros, inWindow));
        }
        else if (inWindow)
        {
            _latencies.Add(micros);
        }

        _frames += inWindow ? 1 : 0;
    }

    protected override async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (receiveBufferBytes > 0)
        {
            _socket.ReceiveBufferSize = receiveBufferBytes; // before connecting, so the window scale follows it
        }

        await _socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
    }

    protected override async Task ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(IsSlow ? SlowReadBytes : 64 * 1024);
        var start = Stopwatch.GetTimestamp();
        long total = 0;
        while (true)
        {
            // Token bucket for a slow client: never more than rate × elapsed bytes in total.
            var allowed = IsSlow ? (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * slowRate) - total : long.MaxValue;
            if (allowed < SlowReadBytes)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)(SlowReadBytes - allowed) / slowRate), cancellationToken);
                continue;
            }

            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                return;
            }

            total += n;
            Received(buffer.AsSpan(0, n));
        }
    }

    private void Received(ReadOnlySpan<byte> data)
    {
        _now = Stopwatch.GetTimestamp();
        _bytes += window.Contains(_now) ? data.Length : 0;
        while (!data.IsEmpty)
        {
            switch (_http)
            {
                case Http.Head:
                    data = ReadHead(data);
                    break;
                case Http.Data:
                    var n = (int)Math.Min(_chunk, data.Length);
                    _parser.Feed(data[..n], this);
                    data = data[n..];
                    _chunk -= n;
                    _http = _chunk == 0 ? Http.DataCr : Http.Data;
                    break;
                case Http.Done:
                    return;
                default:
                    ChunkFraming(data[0]);
                    data = data[1..];
                    break;
            }
        }
    }

    /// <summary>The status line and headers: a 200 with the chunked transfer coding. Returns what follows them.</summary>
    private ReadOnlySpan<byte> ReadHead(ReadOnlySpan<byte> data)
    {
        var take = Math.Min(data.Length, _head.Length - _headLength);
        data[..take].CopyTo(_head.AsSpan(_headLength));
        var before = _headLength;
        _headLength += take;
        var end = _head.AsSpan(0, _headLength).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return _headLength < _head.Length ? [] : throw new InvalidDataException("Response headers too long.");
        }

        var head = Encoding.ASCII.GetString(_head, 0, end);
        if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || !head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Expected a chunked 200 response, got: {head}");
        }

        _http = Http.Size;
        Ready.TrySetResult();
        return data[(end + 4 - before)..];
    }

    /// <summary>One byte of the chunked coding's framing: the hex size line, or the CRLF after a chunk's data.</summary>
    private void ChunkFraming(byte b)
    {
        (_http, _chunk) = (_http, b) switch
        {
            (Http.Size, (byte)'\r') => (Http.SizeLf, _chunk),
            (Http.Size, >= (byte)'0' and <= (byte)'9') => (Http.Size, (_chunk * 16) + b - '0'),
            (Http.Size, >= (byte)'a' and <= (byte)'f') => (Http.Size, (_chunk * 16) + b - 'a' + 10),
            (Http.Size, >= (byte)'A' and <= (byte)'F') => (Http.Size, (_chunk * 16) + b - 'A' + 10),
            (Http.SizeLf, (byte)'\n') => (_chunk == 0 ? Http.Done : Http.Data, _chunk),
            (Http.DataCr, (byte)'\r') => (Http.DataLf, 0L),
            (Http.DataLf, (byte)'\n') => (Http.Size, 0L),
            _ => throw new InvalidDataException($"Chunked coding: unexpected byte 0x{b:X2} in state {_http}."),
        };
    }
}
