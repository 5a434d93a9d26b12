using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;
using System.Text.Json;

namespace LabThings.Benchmarks;

/// <summary>What the load generator is to do: connect the clients, warm up, measure one window, disconnect.</summary>
internal sealed class ClientPlan
{
    public int Port { get; set; }

    public string Path { get; set; } = "/camera/stream";

    public int NormalClients { get; set; }

    public int SlowClients { get; set; }

    public int SlowRateBytesPerSecond { get; set; }

    public int SlowReceiveBufferBytes { get; set; }

    public double WarmupSeconds { get; set; }

    public double Seconds { get; set; }
}

/// <summary>What the clients saw. Timestamps are Stopwatch ticks (CLOCK_MONOTONIC: comparable across processes).</summary>
internal sealed class ClientReport
{
    public int Requested { get; set; }

    public int Connected { get; set; }

    public int ErrorCount { get; set; }

    public List<string> Errors { get; set; } = [];

    public long WindowStart { get; set; }

    public long WindowEnd { get; set; }

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

    /// <summary>CPU time of the generator's process over the window; NaN when it shares the server's process.</summary>
    public double GeneratorCpuSeconds { get; set; } = double.NaN;

    public long GeneratorWorkingSet { get; set; }

    public bool GeneratorServerGc { get; set; }
}

internal sealed record SlowFrame(int Client, long Id, int AgeMicros, bool InWindow);

/// <summary>The measurement window, shared by all clients of one run.</summary>
internal sealed class ClientWindow
{
    private long _start = long.MaxValue;
    private long _end = long.MaxValue;

    public long Start => Volatile.Read(ref _start);

    public long End => Volatile.Read(ref _end);

    public void Set(long start, long end)
    {
        Volatile.Write(ref _end, end);
        Volatile.Write(ref _start, start);
    }

    public bool Contains(long timestamp) => timestamp >= Start && timestamp < End;
}

internal delegate void FrameHandler(ReadOnlySpan<byte> stamp, long length);

/// <summary>One HTTP/1.1 client on a raw socket: GET the stream, parse parts, time each whole frame.</summary>
internal sealed class StreamClient : IDisposable
{
    private const int SlowReadBytes = 4096;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly MultipartParser _parser = new();
    private readonly ClientWindow _window;
    private readonly int _index;
    private readonly int _slowRate;
    private readonly FrameHandler _onFrame;
    private long _now;
    private long _lastId;

    public StreamClient(int index, ClientWindow window, int slowRateBytesPerSecond, int receiveBufferBytes)
    {
        _index = index;
        _window = window;
        _slowRate = slowRateBytesPerSecond;
        if (receiveBufferBytes > 0)
        {
            _socket.ReceiveBufferSize = receiveBufferBytes; // before connecting, so the window scale follows it
        }

        _onFrame = OnFrame;
    }

    public bool IsSlow => _slowRate > 0;

    public TaskCompletionSource HeadersReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Frames { get; private set; }

    public long Bytes { get; private set; }

    public int OutOfOrder { get; private set; }

    public List<int> Latencies { get; } = [];

    public List<SlowFrame> SlowFrames { get; } = [];

    public Exception? Error { get; set; }

    public async Task ConnectAsync(int port, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
    }

    public async Task ReadAsync(byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
            if (IsSlow)
            {
                await ReadThrottledAsync(cancellationToken);
            }
            else
            {
                await ReadFullSpeedAsync(cancellationToken);
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException("The server closed the stream.");
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over: the socket was closed under the pending receive.
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            Error = e;
            HeadersReceived.TrySetException(e);
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReadFullSpeedAsync(CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        int n;
        while ((n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            Received(buffer.AsSpan(0, n));
        }
    }

    private async Task ReadThrottledAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[SlowReadBytes];
        var start = Stopwatch.GetTimestamp();
        long total = 0;
        while (true)
        {
            // Token bucket: never more than rate × elapsed bytes in total.
            var allowed = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * _slowRate) - total;
            if (allowed < SlowReadBytes)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)(SlowReadBytes - allowed) / _slowRate), cancellationToken);
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
        if (_window.Contains(_now))
        {
            Bytes += data.Length;
        }

        _parser.Feed(data, _onFrame);
        if (_parser.HeadersDone)
        {
            HeadersReceived.TrySetResult();
        }
    }

    private void OnFrame(ReadOnlySpan<byte> stamp, long length)
    {
        if (stamp.Length < FakeFrames.StampBytes)
        {
            return;
        }

        var (id, timestamp) = FakeFrames.Read(stamp);
        if (id <= _lastId)
        {
            OutOfOrder++;
        }

        _lastId = id;
        var micros = (int)Math.Min(int.MaxValue, (_now - timestamp) * 1_000_000 / Stopwatch.Frequency);
        var inWindow = _window.Contains(_now);
        if (IsSlow)
        {
            SlowFrames.Add(new SlowFrame(_index, id, micros, inWindow));
        }

        if (inWindow)
        {
            Frames++;
            if (!IsSlow)
            {
                Latencies.Add(micros);
            }
        }
    }
}

/// <summary>Runs a <see cref="ClientPlan"/> in the calling process.</summary>
internal static class ClientSwarm
{
    private const int ConnectConcurrency = 32;
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(30);

    /// <param name="onWindow">Told the window (start, end) as soon as every client is connected; must not block.</param>
    public static async Task<ClientReport> RunAsync(ClientPlan plan, bool ownProcess, Action<long, long> onWindow, CancellationToken cancellationToken)
    {
        var window = new ClientWindow();
        var request = Encoding.ASCII.GetBytes($"GET {plan.Path} HTTP/1.1\r\nHost: 127.0.0.1:{plan.Port}\r\nAccept: multipart/x-mixed-replace\r\n\r\n");
        var clients = new List<StreamClient>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            for (var i = 0; i < plan.NormalClients + plan.SlowClients; i++)
            {
                var isSlow = i >= plan.NormalClients;
                clients.Add(new StreamClient(i, window, isSlow ? plan.SlowRateBytesPerSecond : 0, isSlow ? plan.SlowReceiveBufferBytes : 0));
            }

            var reads = new Task[clients.Count];
            using (var gate = new SemaphoreSlim(ConnectConcurrency))
            {
                await Task.WhenAll(clients.Select(async (client, i) =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        await client.ConnectAsync(plan.Port, cancellationToken);
                        reads[i] = client.ReadAsync(request, stop.Token);
                        await client.HeadersReceived.Task.WaitAsync(HeadersTimeout, cancellationToken);
                    }
                    catch (Exception e) when (e is SocketException or IOException or TimeoutException or InvalidDataException)
                    {
                        client.Error ??= e;
                        reads[i] ??= Task.CompletedTask;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            var start = Clock.After(plan.WarmupSeconds);
            var end = start + (long)(plan.Seconds * Stopwatch.Frequency);
            window.Set(start, end);
            onWindow(start, end);
            await Clock.UntilAsync(start, cancellationToken);
            var cpuStart = ownProcess ? Sample.Take().ProcessCpuSeconds : double.NaN;
            await Clock.UntilAsync(end, cancellationToken);
            var sampleEnd = Sample.Take();
            await stop.CancelAsync();
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await Task.WhenAll(reads);
            var normal = clients.Where(c => !c.IsSlow).ToList();
            var slow = clients.Where(c => c.IsSlow).ToList();
            var errors = clients.Where(c => c.Error is not null).Select(c => $"client {clients.IndexOf(c)}: {c.Error!.GetType().Name}: {c.Error.Message}").ToList();
            return new ClientReport
            {
                Requested = clients.Count,
                Connected = clients.Count(c => c.HeadersReceived.Task.IsCompletedSuccessfully),
                ErrorCount = errors.Count,
                Errors = [.. errors.Take(5)],
                WindowStart = start,
                WindowEnd = end,
                NormalFrames = [.. normal.Select(c => c.Frames)],
                NormalBytes = [.. normal.Select(c => c.Bytes)],
                LatencyMicros = [.. normal.SelectMany(c => c.Latencies)],
                SlowFrames = [.. slow.Select(c => c.Frames)],
                SlowBytes = [.. slow.Select(c => c.Bytes)],
                SlowFrameAges = [.. slow.SelectMany(c => c.SlowFrames)],
                OutOfOrder = clients.Sum(c => c.OutOfOrder),
                GeneratorCpuSeconds = ownProcess ? sampleEnd.ProcessCpuSeconds - cpuStart : double.NaN,
                GeneratorWorkingSet = ownProcess ? sampleEnd.WorkingSet : 0,
                GeneratorServerGc = GCSettings.IsServerGC,
            };
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}

/// <summary>Runs the load generator either here or in a child process (this program's <c>clients</c> command).</summary>
internal static class LoadGeneratorProcess
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task<ClientReport> RunAsync(ClientPlan plan, bool inProcess, Action<long, long> onWindow)
    {
        var limit = TimeSpan.FromSeconds(plan.WarmupSeconds + plan.Seconds + 90);
        if (inProcess)
        {
            using var timeout = new CancellationTokenSource(limit);
            return await ClientSwarm.RunAsync(plan, ownProcess: false, onWindow, timeout.Token);
        }

        using var child = new Process { StartInfo = ChildStartInfo() };
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
                    onWindow(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
                {
                    var report = JsonSerializer.Deserialize<ClientReport>(line["RESULT ".Length..], Json)!;
                    await child.WaitForExitAsync(timeout.Token);
                    return report;
                }
            }

            throw new InvalidOperationException($"The load generator process ended without a result (exit code {(child.HasExited ? child.ExitCode : -1)}).");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    /// <summary>The <c>clients</c> command: one plan on stdin, WINDOW and RESULT lines on stdout.</summary>
    public static async Task<int> ChildMainAsync()
    {
        var plan = JsonSerializer.Deserialize<ClientPlan>(await Console.In.ReadLineAsync() ?? "", Json)
                   ?? throw new InvalidDataException("No plan on stdin.");
        var output = Console.Out;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(plan.WarmupSeconds + plan.Seconds + 80));
        var report = await ClientSwarm.RunAsync(
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

    private static ProcessStartInfo ChildStartInfo()
    {
        var info = ThisProgram.StartInfo("clients");
        // The generator is not the system under test: give it the lighter workstation GC.
        info.Environment["DOTNET_gcServer"] = "0";
        return info;
    }
}
