using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime;
using System.Text;
using System.Text.Json;

namespace LabThings.Benchmarks;

/// <summary>What the observers are to do: connect and subscribe, warm up, measure one window, read on for the grace period, stop.</summary>
internal sealed class ObserverPlan
{
    public int Port { get; set; }

    public string Path { get; set; } = "/ticker/ws";

    public string Property { get; set; } = "tick";

    public int Observers { get; set; }

    public ObserverClientKind Client { get; set; }

    public double WarmupSeconds { get; set; }

    public double Seconds { get; set; }

    public double GraceSeconds { get; set; }
}

/// <summary>What the observers saw. Timestamps are Stopwatch ticks (CLOCK_MONOTONIC: comparable across processes).</summary>
internal sealed class ObserverReport
{
    public int Requested { get; set; }

    /// <summary>Observers that received a first notification before the window was set.</summary>
    public int Connected { get; set; }

    public int ErrorCount { get; set; }

    public List<string> Errors { get; set; } = [];

    public long WindowStart { get; set; }

    public long WindowEnd { get; set; }

    /// <summary>Per connected observer: notifications received (by receipt time) in the window.</summary>
    public int[] ReceivedInWindow { get; set; } = [];

    /// <summary>Per connected observer: notifications of changes set in the window, received before the observer stopped.</summary>
    public int[] DeliveredOfWindow { get; set; } = [];

    /// <summary>
    /// Per connected observer: the counts of <c>dropped</c> messages whose next notification is of a change set in the
    /// window (the server reports drops just before the next notification it sends, and drops the oldest).
    /// </summary>
    public long[] DroppedReported { get; set; } = [];

    /// <summary>Per connected observer: every count of <c>dropped</c> messages, warm-up and grace included.</summary>
    public long[] DroppedTotal { get; set; } = [];

    /// <summary>Per connected observer: p99 latency of the notifications it received in the window, µs.</summary>
    public double[] ObserverP99Micros { get; set; } = [];

    /// <summary>All connected observers' notifications received in the window: set → receipt, as a <see cref="LatencyHistogram"/>.</summary>
    public int[] Latency { get; set; } = [];

    /// <summary>Notifications whose value was not greater than the previous one's (should be 0).</summary>
    public long OutOfOrder { get; set; }

    /// <summary>Messages other than propertyStatus and dropped (error responses).</summary>
    public long OtherMessages { get; set; }

    public double GeneratorCpuSeconds { get; set; } = double.NaN;

    public long GeneratorWorkingSet { get; set; }

    public bool GeneratorServerGc { get; set; }

    public int? GeneratorOpenFileLimit { get; set; }
}

/// <summary>
/// A latency histogram in µs: exact below 128, then 64 sub-buckets per power of two (at most 1.6 % off).
/// Fixed size, so each observer keeps its own without allocating per message.
/// </summary>
internal static class LatencyHistogram
{
    private const int Linear = 128;
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    public const int Size = Linear + ((31 - 7) * Sub);

    public static int Index(long micros)
    {
        if (micros < Linear)
        {
            return (int)Math.Max(0, micros);
        }

        var v = Math.Min(micros, int.MaxValue);
        var exponent = 63 - (int)long.LeadingZeroCount(v); // >= 7
        var sub = (int)((v >> (exponent - SubBits)) & (Sub - 1));
        return Linear + ((exponent - 7) * Sub) + sub;
    }

    /// <summary>The middle of bucket <paramref name="index"/>, µs.</summary>
    public static double Value(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var exponent = ((index - Linear) / Sub) + 7;
        var sub = (index - Linear) % Sub;
        var width = 1L << (exponent - SubBits);
        return (1L << exponent) + (sub * width) + (width / 2.0);
    }

    public static long Count(int[] histogram) => histogram.Sum(c => (long)c);

    /// <summary>The q-quantile (0..1), µs; NaN when empty.</summary>
    public static double Quantile(int[] histogram, double q)
    {
        var total = Count(histogram);
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return Value(i);
            }
        }

        return Value(histogram.Length - 1);
    }

    public static double Max(int[] histogram)
    {
        for (var i = histogram.Length - 1; i >= 0; i--)
        {
            if (histogram[i] > 0)
            {
                return Value(i);
            }
        }

        return double.NaN;
    }
}

/// <summary>One observer: counts what it receives. Subclasses do the WebSocket part.</summary>
internal abstract class Observer : IDisposable
{
    private static readonly byte[] StatusPrefixStart = "{\"messageType\":\"propertyStatus\",\"data\":{\""u8.ToArray();
    private static readonly byte[] DroppedPrefix = "{\"messageType\":\"dropped\",\"data\":{\"count\":"u8.ToArray();

    private readonly ClientWindow _window;
    private readonly byte[] _statusPrefix;
    private long _last;
    private long _pendingDrops;

    protected Observer(ClientWindow window, string property)
    {
        _window = window;
        _statusPrefix = [.. StatusPrefixStart, .. Encoding.UTF8.GetBytes(property + "\":")];
    }

    public TaskCompletionSource Subscribed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int ReceivedInWindow { get; private set; }

    public int DeliveredOfWindow { get; private set; }

    public long DroppedReported { get; private set; }

    public long DroppedTotal { get; private set; }

    public long OutOfOrder { get; private set; }

    public long OtherMessages { get; private set; }

    public string? FirstOtherMessage { get; private set; }

    public int[] Latency { get; } = new int[LatencyHistogram.Size];

    public Exception? Error { get; set; }

    public static byte[] SubscribeMessage(string property) => Encoding.UTF8.GetBytes($"{{\"messageType\":\"addPropertyObservation\",\"data\":{{\"{property}\":true}}}}");

    public abstract Task ConnectAsync(ObserverPlan plan, CancellationToken cancellationToken);

    /// <summary>Reads until cancelled (or the server closes, which is an error).</summary>
    public abstract Task ReadAsync(CancellationToken cancellationToken);

    public abstract void Dispose();

    /// <summary>One whole text message, received at <paramref name="now"/>.</summary>
    protected void OnMessage(ReadOnlySpan<byte> message, long now)
    {
        if (message.StartsWith(_statusPrefix) && Utf8Parser.TryParse(message[_statusPrefix.Length..], out long value, out _))
        {
            if (value <= _last)
            {
                OutOfOrder++;
            }

            _last = value;
            if (_window.Contains(now))
            {
                ReceivedInWindow++;
                Latency[LatencyHistogram.Index((now - value) * 1_000_000 / Stopwatch.Frequency)]++;
            }

            if (_window.Contains(value))
            {
                DeliveredOfWindow++;
                DroppedReported += _pendingDrops;
            }

            _pendingDrops = 0;

            Subscribed.TrySetResult();
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

/// <summary>
/// A WebSocket client on a raw socket: HTTP/1.1 upgrade, one masked text frame to subscribe, then a frame parser
/// over 64 KiB receives (every message in one receive shares its timestamp). Control frames are skipped.
/// </summary>
internal sealed class RawObserver(ClientWindow window, string property) : Observer(window, property)
{
    private const int BufferBytes = 64 * 1024;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferBytes);
    private readonly string _property = property;
    private int _filled;

    public override async Task ConnectAsync(ObserverPlan plan, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, plan.Port), cancellationToken);
        var handshake = Encoding.ASCII.GetBytes(
            $"GET {plan.Path} HTTP/1.1\r\nHost: 127.0.0.1:{plan.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await _socket.SendAsync(handshake, SocketFlags.None, cancellationToken);
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cancellationToken);
            if (n == 0 || _filled + n == BufferBytes)
            {
                throw new IOException("No WebSocket handshake response.");
            }

            _filled += n;
        }

        if (!_buffer.AsSpan(0, headerEnd).StartsWith("HTTP/1.1 101"u8))
        {
            throw new InvalidDataException("Handshake refused: " + Encoding.ASCII.GetString(_buffer, 0, Math.Min(headerEnd, 200)));
        }

        _filled -= headerEnd + 4;
        _buffer.AsSpan(headerEnd + 4, _filled).CopyTo(_buffer);
        await _socket.SendAsync(MaskedTextFrame(SubscribeMessage(_property)), SocketFlags.None, cancellationToken);
    }

    public override async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = Stopwatch.GetTimestamp();
            while (true)
            {
                var consumed = ParseFrames(_buffer.AsSpan(0, _filled), now);
                _filled -= consumed;
                _buffer.AsSpan(consumed, _filled).CopyTo(_buffer);
                if (_filled == BufferBytes)
                {
                    throw new InvalidDataException("A frame larger than the receive buffer.");
                }

                var n = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cancellationToken);
                now = Stopwatch.GetTimestamp();
                if (n == 0)
                {
                    throw new IOException("The server closed the connection.");
                }

                _filled += n;
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over: the socket was closed under the pending receive.
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            Error = e;
            Subscribed.TrySetException(e);
        }
    }

    public override void Dispose() => _socket.Dispose();

    private static byte[] MaskedTextFrame(byte[] payload)
    {
        if (payload.Length > 125)
        {
            throw new ArgumentException("The subscribe message must be short.", nameof(payload));
        }

        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81; // FIN, text
        frame[1] = (byte)(0x80 | payload.Length);
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
            var b0 = data[offset];
            var b1 = data[offset + 1];
            if ((b1 & 0x80) != 0)
            {
                throw new InvalidDataException("The server sent a masked frame.");
            }

            var header = 2;
            long length = b1 & 0x7F;
            if (length == 126)
            {
                if (data.Length - offset < 4)
                {
                    break;
                }

                length = (data[offset + 2] << 8) | data[offset + 3];
                header = 4;
            }
            else if (length == 127)
            {
                if (data.Length - offset < 10)
                {
                    break;
                }

                length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data[(offset + 2)..]);
                header = 10;
            }

            if (length > BufferBytes - header)
            {
                throw new InvalidDataException($"A {length}-byte frame.");
            }

            if (data.Length - offset < header + length)
            {
                break;
            }

            var payload = data.Slice(offset + header, (int)length);
            var opcode = b0 & 0x0F;
            if (opcode == 0x1 && (b0 & 0x80) != 0)
            {
                OnMessage(payload, now);
            }
            else if (opcode == 0x8)
            {
                throw new IOException("The server closed the WebSocket.");
            }
            else if (opcode is 0x0 or 0x1 or 0x2)
            {
                throw new InvalidDataException("A fragmented or binary message (not expected from this server).");
            }

            offset += header + (int)length;
        }

        return offset;
    }
}

/// <summary>A WebSocket client with <see cref="ClientWebSocket"/>: one ReceiveAsync per message (or fragment).</summary>
internal sealed class DotnetObserver(ClientWindow window, string property) : Observer(window, property)
{
    private readonly ClientWebSocket _socket = new();
    private readonly string _property = property;

    public override async Task ConnectAsync(ObserverPlan plan, CancellationToken cancellationToken)
    {
        _socket.Options.Proxy = null;
        await _socket.ConnectAsync(new Uri($"ws://127.0.0.1:{plan.Port}{plan.Path}"), cancellationToken);
        await _socket.SendAsync(SubscribeMessage(_property), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    public override async Task ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length);

                var now = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new IOException("The server closed the WebSocket.");
                }

                OnMessage(buffer.AsSpan(0, length), now);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
        catch (Exception e) when (e is IOException or WebSocketException or InvalidDataException)
        {
            Error = e;
            Subscribed.TrySetException(e);
        }
    }

    public override void Dispose() => _socket.Dispose();
}

/// <summary>Runs an <see cref="ObserverPlan"/> in the calling process.</summary>
internal static class ObserverSwarm
{
    private const int ConnectConcurrency = 32;
    private static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(30);

    /// <param name="onWindow">Told the window (start, end) as soon as every observer is subscribed; must not block.</param>
    public static async Task<ObserverReport> RunAsync(ObserverPlan plan, bool ownProcess, Action<long, long> onWindow, CancellationToken cancellationToken)
    {
        var window = new ClientWindow();
        var observers = new List<Observer>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            for (var i = 0; i < plan.Observers; i++)
            {
                observers.Add(plan.Client == ObserverClientKind.Raw ? new RawObserver(window, plan.Property) : new DotnetObserver(window, plan.Property));
            }

            var reads = new Task[observers.Count];
            using (var gate = new SemaphoreSlim(ConnectConcurrency))
            {
                await Task.WhenAll(observers.Select(async (observer, i) =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        await observer.ConnectAsync(plan, cancellationToken);
                        reads[i] = observer.ReadAsync(stop.Token);
                        await observer.Subscribed.Task.WaitAsync(SubscribeTimeout, cancellationToken);
                    }
                    catch (Exception e) when (e is SocketException or IOException or TimeoutException or InvalidDataException or WebSocketException)
                    {
                        observer.Error ??= e;
                        reads[i] ??= Task.CompletedTask;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            var subscribed = observers.Where(o => o.Subscribed.Task.IsCompletedSuccessfully).ToList();
            var start = Clock.After(plan.WarmupSeconds);
            var end = start + (long)(plan.Seconds * Stopwatch.Frequency);
            window.Set(start, end);
            onWindow(start, end);
            await Clock.UntilAsync(start, cancellationToken);
            var cpuStart = ownProcess ? Sample.Take().ProcessCpuSeconds : double.NaN;
            await Clock.UntilAsync(end, cancellationToken);
            var sampleEnd = Sample.Take();
            await Clock.UntilAsync(end + (long)(plan.GraceSeconds * Stopwatch.Frequency), cancellationToken);
            await stop.CancelAsync();
            foreach (var observer in observers)
            {
                observer.Dispose();
            }

            await Task.WhenAll(reads);
            var errors = observers.Where(o => o.Error is not null).Select(o => $"observer {observers.IndexOf(o)}: {o.Error!.GetType().Name}: {o.Error.Message}")
                .Concat(observers.Where(o => o.FirstOtherMessage is not null).Select(o => $"observer {observers.IndexOf(o)} got: {o.FirstOtherMessage}"))
                .ToList();
            var latency = new int[LatencyHistogram.Size];
            foreach (var observer in subscribed)
            {
                for (var i = 0; i < latency.Length; i++)
                {
                    latency[i] += observer.Latency[i];
                }
            }

            return new ObserverReport
            {
                Requested = observers.Count,
                Connected = subscribed.Count,
                ErrorCount = errors.Count,
                Errors = [.. errors.Take(5)],
                WindowStart = start,
                WindowEnd = end,
                ReceivedInWindow = [.. subscribed.Select(o => o.ReceivedInWindow)],
                DeliveredOfWindow = [.. subscribed.Select(o => o.DeliveredOfWindow)],
                DroppedReported = [.. subscribed.Select(o => o.DroppedReported)],
                DroppedTotal = [.. subscribed.Select(o => o.DroppedTotal)],
                ObserverP99Micros = [.. subscribed.Select(o => LatencyHistogram.Quantile(o.Latency, 0.99))],
                Latency = latency,
                OutOfOrder = observers.Sum(o => o.OutOfOrder),
                OtherMessages = observers.Sum(o => o.OtherMessages),
                GeneratorCpuSeconds = ownProcess ? sampleEnd.ProcessCpuSeconds - cpuStart : double.NaN,
                GeneratorWorkingSet = ownProcess ? sampleEnd.WorkingSet : 0,
                GeneratorServerGc = GCSettings.IsServerGC,
                GeneratorOpenFileLimit = ObserveBenchmark.OpenFileLimit(),
            };
        }
        finally
        {
            foreach (var observer in observers)
            {
                observer.Dispose();
            }
        }
    }
}

/// <summary>Runs the observers either here or in a child process (this program's <c>observe --observer-process</c>).</summary>
internal static class ObserverProcess
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task<ObserverReport> RunAsync(ObserverPlan plan, bool inProcess, Action<long, long> onWindow)
    {
        var limit = TimeSpan.FromSeconds(plan.WarmupSeconds + plan.Seconds + plan.GraceSeconds + 60);
        if (inProcess)
        {
            using var timeout = new CancellationTokenSource(limit);
            return await ObserverSwarm.RunAsync(plan, ownProcess: false, onWindow, timeout.Token);
        }

        var info = ThisProgram.StartInfo("observe");
        info.ArgumentList.Add("--observer-process");
        info.Environment["DOTNET_gcServer"] = "0"; // the observers are not the system under test: the lighter workstation GC
        using var child = new Process { StartInfo = info };
        child.Start();
        try
        {
            await child.StandardInput.WriteLineAsync(JsonSerializer.Serialize(plan, Json));
            await child.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(limit);
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("WINDOW ", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ');
                    onWindow(long.Parse(parts[1], Report.Inv), long.Parse(parts[2], Report.Inv));
                }
                else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
                {
                    var report = JsonSerializer.Deserialize<ObserverReport>(line["RESULT ".Length..], Json)!;
                    await child.WaitForExitAsync(timeout.Token);
                    return report;
                }
            }

            throw new InvalidOperationException($"The observer process ended without a result (exit code {(child.HasExited ? child.ExitCode : -1)}).");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    /// <summary>The child's side: one plan on stdin, WINDOW and RESULT lines on stdout.</summary>
    public static async Task<int> ChildMainAsync()
    {
        var plan = JsonSerializer.Deserialize<ObserverPlan>(await Console.In.ReadLineAsync() ?? "", Json)
                   ?? throw new InvalidDataException("No plan on stdin.");
        var output = Console.Out;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(plan.WarmupSeconds + plan.Seconds + plan.GraceSeconds + 50));
        var report = await ObserverSwarm.RunAsync(
            plan,
            ownProcess: true,
            (start, end) =>
            {
                output.WriteLine($"WINDOW {start} {end}");
                output.Flush();
            },
            timeout.Token);
        await output.WriteLineAsync("RESULT " + JsonSerializer.Serialize(report, Json));
        await output.FlushAsync();
        return 0;
    }
}
