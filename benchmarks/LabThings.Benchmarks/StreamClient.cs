using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LabThings.Tests.Support;

namespace LabThings.Benchmarks;

/// <summary>The MJPEG clients of one run: <c>NormalClients</c> reading at full speed, then <c>SlowClients</c> throttled.</summary>
internal sealed class MjpegPlan : LoadPlan<MjpegReport>
{
    public string Path { get; set; } = "/camera/stream";

    public int NormalClients { get; set; }

    public int SlowClients { get; set; }

    public int SlowRateBytesPerSecond { get; set; }

    public int SlowReceiveBufferBytes { get; set; }

    public override IReadOnlyList<LoadClient> CreateClients(LoadWindow window)
    {
        var request = Encoding.ASCII.GetBytes($"GET {Path} HTTP/1.1\r\nHost: 127.0.0.1:{Port}\r\nAccept: multipart/x-mixed-replace\r\n\r\n");
        return [.. Enumerable.Range(0, NormalClients + SlowClients).Select(i => i < NormalClients
            ? new StreamClient(i, window, Port, request, 0, 0)
            : new StreamClient(i, window, Port, request, SlowRateBytesPerSecond, SlowReceiveBufferBytes))];
    }

    public override void Summarize(IReadOnlyList<LoadClient> clients, MjpegReport report)
    {
        var all = clients.Cast<StreamClient>().ToList();
        var normal = all.Where(c => !c.IsSlow).ToList();
        var slow = all.Where(c => c.IsSlow).ToList();
        report.NormalFrames = [.. normal.Select(c => c.Frames)];
        report.NormalBytes = [.. normal.Select(c => c.Bytes)];
        report.LatencyMicros = [.. normal.SelectMany(c => c.Latencies)];
        report.SlowFrames = [.. slow.Select(c => c.Frames)];
        report.SlowBytes = [.. slow.Select(c => c.Bytes)];
        report.SlowFrameAges = [.. slow.SelectMany(c => c.SlowFrames)];
        report.OutOfOrder = all.Sum(c => c.OutOfOrder);
    }
}

/// <summary>What the MJPEG clients saw.</summary>
internal sealed class MjpegReport : LoadReport
{
    /// <summary>Per normal client: whole frames received in the window.</summary>
    public int[] NormalFrames { get; set; } = [];

    /// <summary>Per normal client: bytes received in the window (HTTP framing included).</summary>
    public long[] NormalBytes { get; set; } = [];

    /// <summary>All normal clients' frames received in the window: AddFrame → last byte received, microseconds.</summary>
    public int[] LatencyMicros { get; set; } = [];

    public int[] SlowFrames { get; set; } = [];

    public long[] SlowBytes { get; set; } = [];

    /// <summary>Every frame a slow client received, warm-up included.</summary>
    public List<SlowFrame> SlowFrameAges { get; set; } = [];

    /// <summary>Parts whose frame id was not newer than the previous part's (should be 0).</summary>
    public int OutOfOrder { get; set; }
}

internal sealed record SlowFrame(int Client, long Id, int AgeMicros, bool InWindow);

/// <summary>
/// One HTTP/1.1 client on a raw socket: GETs the stream, undoes the chunked transfer coding, hands the body to the
/// <see cref="MultipartParser"/> shared with the tests, and times each whole frame by the stamp in its first bytes.
/// A slow client reads 4 KiB at a time, paced by a token bucket. Allocation-free while reading.
/// </summary>
internal sealed class StreamClient(int index, LoadWindow window, int port, byte[] request, int slowRate, int receiveBufferBytes)
    : LoadClient, IMultipartHandler
{
    private const int SlowReadBytes = 4096;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly MultipartParser _parser = new();
    private readonly byte[] _head = new byte[8192];
    private readonly byte[] _stamp = new byte[FakeFrames.StampBytes];
    private Http _http = Http.Head;
    private int _headLength;
    private long _chunk;
    private int _stampLength;
    private long _now;
    private long _lastId;

    private enum Http
    {
        Head,
        Identity,
        Size,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        Done,
    }

    public bool IsSlow => slowRate > 0;

    public int Frames { get; private set; }

    public long Bytes { get; private set; }

    public int OutOfOrder { get; private set; }

    public List<int> Latencies { get; } = [];

    public List<SlowFrame> SlowFrames { get; } = [];

    public override void Dispose() => _socket.Dispose();

    void IMultipartHandler.OnBoundary()
    {
    }

    void IMultipartHandler.OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
    }

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
        OutOfOrder += id <= _lastId ? 1 : 0;
        _lastId = id;
        var micros = (int)Math.Min(int.MaxValue, (_now - timestamp) * 1_000_000 / Stopwatch.Frequency);
        var inWindow = window.Contains(_now);
        if (IsSlow)
        {
            SlowFrames.Add(new SlowFrame(index, id, micros, inWindow));
        }
        else if (inWindow)
        {
            Latencies.Add(micros);
        }

        Frames += inWindow ? 1 : 0;
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
        Bytes += window.Contains(_now) ? data.Length : 0;
        while (!data.IsEmpty)
        {
            switch (_http)
            {
                case Http.Head:
                    data = ReadHead(data);
                    break;
                case Http.Identity:
                    _parser.Feed(data, this);
                    return;
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

    /// <summary>The status line and headers: a 200, chunked or not. Returns what follows them.</summary>
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
        if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Unexpected response: {head.Split('\r')[0]}");
        }

        _http = head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Http.Size : Http.Identity;
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
