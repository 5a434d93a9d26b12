using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LabThings.Benchmarks;

/// <summary>The observers of one run: each subscribes to one property over the Thing's WebSocket.</summary>
internal sealed class ObserverPlan : LoadPlan<ObserverReport>
{
    public string Path { get; set; } = "/ticker/ws";

    public string Property { get; set; } = "tick";

    public int Observers { get; set; }

    public override IReadOnlyList<LoadClient> CreateClients(LoadWindow window)
        => [.. Enumerable.Range(0, Observers).Select(_ => new WebSocketObserver(window, Port, Path, Property))];

    public override void Summarize(IReadOnlyList<LoadClient> clients, ObserverReport report)
    {
        var all = clients.Cast<WebSocketObserver>().ToList();
        var subscribed = all.Where(o => o.IsReady).ToList();
        report.ReceivedInWindow = [.. subscribed.Select(o => o.ReceivedInWindow)];
        report.DeliveredOfWindow = [.. subscribed.Select(o => o.DeliveredOfWindow)];
        report.DroppedReported = [.. subscribed.Select(o => o.DroppedReported)];
        report.DroppedTotal = [.. subscribed.Select(o => o.DroppedTotal)];
        report.ObserverP99Micros = [.. subscribed.Select(o => LatencyHistogram.Quantile(o.Latency, 0.99))];
        report.Latency = new int[LatencyHistogram.Size];
        subscribed.ForEach(o => LatencyHistogram.Add(report.Latency, o.Latency));
        report.OutOfOrder = all.Sum(o => o.OutOfOrder);
        report.OtherMessages = all.Sum(o => o.OtherMessages);
        report.Errors.AddRange(all.Select((o, i) => o.FirstOtherMessage is { } m ? $"observer {i} got: {m}" : null).OfType<string>().Take(5));
        report.ErrorCount += all.Count(o => o.FirstOtherMessage is not null);
    }
}

/// <summary>What the observers saw.</summary>
internal sealed class ObserverReport : LoadReport
{
    /// <summary>Per subscribed observer: notifications received (by receipt time) in the window.</summary>
    public int[] ReceivedInWindow { get; set; } = [];

    /// <summary>Per subscribed observer: notifications of changes set in the window, received before the observer stopped.</summary>
    public int[] DeliveredOfWindow { get; set; } = [];

    /// <summary>
    /// Per subscribed observer: the counts of <c>dropped</c> messages whose next notification is of a change set in the
    /// window (the server reports drops just before the next notification it sends, and drops the oldest).
    /// </summary>
    public long[] DroppedReported { get; set; } = [];

    /// <summary>Per subscribed observer: every count of <c>dropped</c> messages, warm-up and grace included.</summary>
    public long[] DroppedTotal { get; set; } = [];

    /// <summary>Per subscribed observer: p99 latency of the notifications it received in the window, µs.</summary>
    public double[] ObserverP99Micros { get; set; } = [];

    /// <summary>All subscribed observers' notifications received in the window: set → receipt, as a <see cref="LatencyHistogram"/>.</summary>
    public int[] Latency { get; set; } = [];

    /// <summary>Notifications whose value was not greater than the previous one's (should be 0).</summary>
    public long OutOfOrder { get; set; }

    /// <summary>Messages other than propertyStatus and dropped (error responses).</summary>
    public long OtherMessages { get; set; }
}

/// <summary>
/// An observer on a raw socket (cheaper than <c>ClientWebSocket</c>, so the server keeps more of the two cores): the
/// HTTP/1.1 upgrade, one masked text frame to subscribe, then its own frame parser over 64 KiB receives (every message
/// in one receive shares its timestamp). It counts <c>propertyStatus</c> messages, whose value is the setter's
/// Stopwatch timestamp, and the server's <c>dropped</c> reports. Allocation-free while reading.
/// </summary>
internal sealed class WebSocketObserver(LoadWindow window, int port, string path, string property) : LoadClient
{
    private const int BufferBytes = 64 * 1024;
    private static readonly byte[] DroppedPrefix = "{\"messageType\":\"dropped\",\"data\":{\"count\":"u8.ToArray();

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferBytes);
    private readonly byte[] _statusPrefix = Encoding.UTF8.GetBytes($"{{\"messageType\":\"propertyStatus\",\"data\":{{\"{property}\":");
    private int _filled;
    private long _last;
    private long _pendingDrops;

    public int ReceivedInWindow { get; private set; }

    public int DeliveredOfWindow { get; private set; }

    public long DroppedReported { get; private set; }

    public long DroppedTotal { get; private set; }

    public long OutOfOrder { get; private set; }

    public long OtherMessages { get; private set; }

    public string? FirstOtherMessage { get; private set; }

    public int[] Latency { get; } = new int[LatencyHistogram.Size];

    public override void Dispose() => _socket.Dispose();

    protected override async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        var handshake = $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await _socket.SendAsync(Encoding.ASCII.GetBytes(handshake), SocketFlags.None, cancellationToken);
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cancellationToken);
            _filled += n > 0 && _filled + n < BufferBytes ? n : throw new IOException("No WebSocket handshake response.");
        }

        if (!_buffer.AsSpan(0, headerEnd).StartsWith("HTTP/1.1 101"u8))
        {
            throw new InvalidDataException("Handshake refused: " + Encoding.ASCII.GetString(_buffer, 0, Math.Min(headerEnd, 200)));
        }

        _filled -= headerEnd + 4;
        _buffer.AsSpan(headerEnd + 4, _filled).CopyTo(_buffer);
        await _socket.SendAsync(MaskedTextFrame(Encoding.UTF8.GetBytes($"{{\"messageType\":\"addPropertyObservation\",\"data\":{{\"{property}\":true}}}}")), SocketFlags.None, cancellationToken);
    }

    protected override async Task ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        while (true)
        {
            var consumed = ParseFrames(_buffer.AsSpan(0, _filled), now);
            _filled -= consumed;
            _buffer.AsSpan(consumed, _filled).CopyTo(_buffer);
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cancellationToken);
            now = Stopwatch.GetTimestamp();
            if (n == 0)
            {
                return;
            }

            _filled += n;
        }
    }

    private static byte[] MaskedTextFrame(byte[] payload)
    {
        var frame = new byte[2 + 4 + payload.Length];
        (frame[0], frame[1]) = (0x81, (byte)(0x80 | payload.Length)); // FIN + text; masked, length < 126
        ReadOnlySpan<byte> mask = [0x12, 0x34, 0x56, 0x78];
        mask.CopyTo(frame.AsSpan(2));
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        return frame;
    }

    /// <summary>Handles every whole frame in <paramref name="data"/>; returns the bytes consumed.</summary>
    private int ParseFrames(ReadOnlySpan<byte> data, long now)
    {
        var offset = 0;
        while (data.Length - offset >= 2)
        {
            var rest = data[offset..];
            var (b0, b1) = (rest[0], rest[1]);
            var (header, length) = (b1 & 0x7F) switch
            {
                126 when rest.Length >= 4 => (4, (long)BinaryPrimitives.ReadUInt16BigEndian(rest[2..])),
                127 when rest.Length >= 10 => (10, (long)BinaryPrimitives.ReadUInt64BigEndian(rest[2..])),
                126 or 127 => (0, 0L),
                var small => (2, (long)small),
            };
            if ((b1 & 0x80) != 0 || length > BufferBytes - header)
            {
                throw new InvalidDataException($"A masked or {length}-byte frame from the server.");
            }

            if (header == 0 || rest.Length < header + length)
            {
                break; // the rest of the frame is still to come
            }

            switch (b0)
            {
                case 0x81: // FIN + text
                    OnMessage(rest.Slice(header, (int)length), now);
                    break;
                case 0x88:
                    throw new IOException("The server closed the WebSocket.");
                case < 0x88:
                    throw new InvalidDataException("A fragmented or binary message (not expected from this server).");
            }

            offset += header + (int)length;
        }

        return offset;
    }

    /// <summary>One whole text message, received at <paramref name="now"/>.</summary>
    private void OnMessage(ReadOnlySpan<byte> message, long now)
    {
        if (message.StartsWith(_statusPrefix) && Utf8Parser.TryParse(message[_statusPrefix.Length..], out long value, out _))
        {
            OutOfOrder += value <= _last ? 1 : 0;
            _last = value;
            if (window.Contains(now))
            {
                ReceivedInWindow++;
                Latency[LatencyHistogram.Index((now - value) * 1_000_000 / Stopwatch.Frequency)]++;
            }

            if (window.Contains(value))
            {
                DeliveredOfWindow++;
                DroppedReported += _pendingDrops;
            }

            _pendingDrops = 0;
            Ready.TrySetResult();
        }
        else if (message.StartsWith(DroppedPrefix) && Utf8Parser.TryParse(message[DroppedPrefix.Length..], out long count, out _))
        {
            DroppedTotal += count;
            _pendingDrops += count;
        }
        else
        {
            OtherMessages++;
            FirstOtherMessage ??= Encoding.UTF8.GetString(message[..Math.Min(message.Length, 300)]);
        }
    }
}
