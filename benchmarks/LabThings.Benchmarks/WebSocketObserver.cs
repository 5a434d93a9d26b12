using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LabThings.Benchmarks;

/// <summary>The observers of one run: each subscribes to <c>tick</c> over <c>/ticker/ws</c>.</summary>
internal sealed record ObserverPlan(int Port, double WarmupSeconds, double Seconds, double GraceSeconds, int Observers)
    : LoadPlan<ObserverResult>(Port, WarmupSeconds, Seconds, GraceSeconds)
{
    public override IReadOnlyList<LoadClient<ObserverResult>> CreateClients(LoadWindow window)
        => [.. Enumerable.Range(0, Observers).Select(_ => new WebSocketObserver(window, Port, "/ticker/ws", "tick"))];
}

/// <summary>What one observer saw.</summary>
/// <param name="Subscribed">Whether it received a notification at all.</param>
/// <param name="ReceivedInWindow">Notifications received (by receipt time) in the window.</param>
/// <param name="DeliveredOfWindow">Notifications of changes set in the window, received before the observer stopped.</param>
/// <param name="DroppedReported">
/// The counts of <c>dropped</c> messages whose next notification is of a change set in the window (the server drops the
/// oldest queued notifications, and says so just before the next one it sends).
/// </param>
/// <param name="DroppedTotal">Every count of <c>dropped</c> messages, warm-up and grace included.</param>
/// <param name="OutOfOrder">Notifications whose value was not greater than the previous one's (should be 0).</param>
/// <param name="OtherMessage">The first message that was neither <c>propertyStatus</c> nor <c>dropped</c> (an error response), if any.</param>
/// <param name="Latency">The notifications received in the window, set → receipt, as a <see cref="LatencyHistogram"/>.</param>
internal sealed record ObserverResult(
    bool Subscribed, int ReceivedInWindow, int DeliveredOfWindow, long DroppedReported, long DroppedTotal, long OutOfOrder, string? OtherMessage, int[] Latency);

/// <summary>
/// An observer on a raw socket (cheaper than <c>ClientWebSocket</c>, so the server keeps more of the two cores): the
/// HTTP/1.1 upgrade, one text frame to subscribe, then its own frame parser over 64 KiB receives (every message
/// in one receive shares its timestamp). It counts <c>propertyStatus</c> messages, whose value is the setter's
/// Stopwatch timestamp, and the server's <c>dropped</c> reports. Allocation-free while reading.
/// </summary>
internal sealed class WebSocketObserver(LoadWindow window, int port, string path, string property) : LoadClient<ObserverResult>
{
    private const int BufferBytes = 64 * 1024;
    private static readonly byte[] DroppedPrefix = "{\"messageType\":\"dropped\",\"data\":{\"count\":"u8.ToArray();

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferBytes);
    private readonly byte[] _statusPrefix = Encoding.UTF8.GetBytes($"{{\"messageType\":\"propertyStatus\",\"data\":{{\"{property}\":");
    private readonly int[] _latency = new int[LatencyHistogram.Size];
    private int _filled;
    private long _last;
    private long _pendingDrops;
    private int _receivedInWindow;
    private int _deliveredOfWindow;
    private long _droppedReported;
    private long _droppedTotal;
    private long _outOfOrder;
    private string? _otherMessage;

    public override ObserverResult Result()
        => new(IsReady, _receivedInWindow, _deliveredOfWindow, _droppedReported, _droppedTotal, _outOfOrder, _otherMessage, _latency);

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
        var subscribe = Encoding.UTF8.GetBytes($"{{\"messageType\":\"addPropertyObservation\",\"data\":{{\"{property}\":true}}}}");
        byte[] frame = [0x81, (byte)(0x80 | subscribe.Length), 0, 0, 0, 0, .. subscribe]; // FIN + text, masked (with a zero key), length < 126
        await _socket.SendAsync(frame, SocketFlags.None, cancellationToken);
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
            _outOfOrder += value <= _last ? 1 : 0;
            _last = value;
            if (window.Contains(now))
            {
                _receivedInWindow++;
                _latency[LatencyHistogram.Index((now - value) * 1_000_000 / Stopwatch.Frequency)]++;
            }

            if (window.Contains(value))
            {
                _deliveredOfWindow++;
                _droppedReported += _pendingDrops;
            }

            _pendingDrops = 0;
            Ready.TrySetResult();
        }
        else if (message.StartsWith(DroppedPrefix) && Utf8Parser.TryParse(message[DroppedPrefix.Length..], out long count, out _))
        {
            _droppedTotal += count;
            _pendingDrops += count;
        }
        else
        {
            _otherMessage ??= Encoding.UTF8.GetString(message[..Math.Min(message.Length, 300)]);
        }
    }
}
