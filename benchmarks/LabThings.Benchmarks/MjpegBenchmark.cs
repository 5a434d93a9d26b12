using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;

namespace LabThings.Benchmarks;

/// <summary>The options of the <c>mjpeg</c> command; sizes are in bytes here, KiB on the command line.</summary>
internal sealed record MjpegSettings(
    int[] Clients, double Seconds, double Warmup, double Fps, int FrameBytes, int SlowClients, int SlowRateBytesPerSecond, int SlowReceiveBufferBytes,
    int SlowNormalClients, double SlowSeconds, bool InProcessGenerator, string? SendBufferKb, int? ResponseBufferKb, int? TransportWriteBufferKb, bool Pacing, string? ConcurrentSends, IReadOnlySet<string> Parts);

/// <summary>
/// MJPEG fan-out on 127.0.0.1: an in-process Kestrel server with one <see cref="BenchCamera"/>, a paced producer, and
/// N raw-socket clients (<see cref="StreamClient"/>, in a child process unless <c>--generator inproc</c>). Prints Markdown.
/// </summary>
internal sealed class MjpegBenchmark(MjpegSettings settings)
{
    private const string ProducerMoved = "The tight AddFrame loop (\"producer rate\") is now a BenchmarkDotNet micro-benchmark: `dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- micro --filter '*MjpegStream*'` (docs/performance.md, \"Micro-benchmarks\").";

    private readonly Report _report = new();
    private BenchApp _server = null!;
    private FrameProducer _producer = null!;

    public static Command Command()
    {
        var clients = Cli.Counts("--clients", "1,10,100,200,500", 1, 2000, "client counts for the fan-out runs");
        var seconds = Cli.Number("--seconds", 10.0, 0.1, 60, "measured window per fan-out run, s (after the warm-up)");
        var warmup = Cli.Number("--warmup", 2.0, 0, 30, "warm-up before each window, s");
        var fps = Cli.Number("--fps", 30.0, 0.1, 1000, "paced producer rate");
        var frameKb = Cli.Number("--frame-kb", 100, 1, 10_000, "frame size, KiB");
        var slowClients = Cli.Number("--slow-clients", 2, 0, 100, "throttled clients in the slow-client run");
        var slowRate = Cli.Number("--slow-rate-kb", 64, 1, 100_000, "their read rate, KiB/s");
        var slowBuffer = Cli.Number("--slow-receive-buffer-kb", 32, 1, 10_000, "their socket receive buffer (SO_RCVBUF), KiB");
        var slowNormal = Cli.Number("--slow-normal-clients", 10, 1, 2000, "normal clients alongside them");
        var slowSeconds = Cli.Number("--slow-seconds", 15.0, 0.1, 60, "measured window of the slow-client runs, s");
        var generator = Cli.Option("--generator", "process", "the load generator in a child process, or in the server's process").AcceptOnlyFromAmong("process", "inproc");
        var sendBuffer = Cli.Check(
            new Option<string?>("--send-buffer-kb") { Description = "LabThingsOptions.StreamSocketSendBufferBytes in KiB, or os for the OS default [default: the library's, 64]" },
            v => v is null or "os" || int.TryParse(v, Report.Inv, out _),
            "--send-buffer-kb is a number of KiB or os.");
        var responseBuffer = new Option<int?>("--response-buffer-kb") { Description = "Kestrel Limits.MaxResponseBufferSize, KiB [default: Kestrel's, 64]" };
        var transportBuffer = new Option<int?>("--transport-write-buffer-kb") { Description = "Kestrel socket transport MaxWriteBufferSize, KiB [default: Kestrel's, 64]" };
        var pacing = Cli.Option("--pacing", "on", "LabThingsOptions.StreamSlowClientThreshold: on (the library's 200 ms) or off (null)").AcceptOnlyFromAmong("on", "off");
        var sends = ConcurrentSendsOption();
        var only = Cli.Parts(["fanout", "producer", "slow"], "run only these parts (producer: now the micro command; says where)");
        only.DefaultValueFactory = _ => "fanout,slow";
        var command = new Command("mjpeg", "MJPEG fan-out: 1 to 500 clients of one stream, latency from a stamp in each frame, CPU and memory; slow clients")
        {
            clients, seconds, warmup, fps, frameKb, slowClients, slowRate, slowBuffer, slowNormal, slowSeconds, generator, sendBuffer, responseBuffer, transportBuffer, pacing, sends, only,
        };
        command.SetAction(r => new MjpegBenchmark(new MjpegSettings(
            Cli.Ints(r.GetValue(clients)), r.GetValue(seconds), r.GetValue(warmup), r.GetValue(fps), r.GetValue(frameKb) * 1024, r.GetValue(slowClients),
            r.GetValue(slowRate) * 1024, r.GetValue(slowBuffer) * 1024, r.GetValue(slowNormal), r.GetValue(slowSeconds), r.GetValue(generator) == "inproc",
            r.GetValue(sendBuffer), r.GetValue(responseBuffer), r.GetValue(transportBuffer), r.GetValue(pacing) == "on", r.GetValue(sends), Cli.Names(r.GetValue(only)))).RunAsync());
        return command;
    }

    /// <summary>The --concurrent-sends option: a number, or off (no limit); the library's default when absent.</summary>
    internal static Option<string?> ConcurrentSendsOption()
        => Cli.Check(
            new Option<string?>("--concurrent-sends") { Description = "LabThingsOptions.StreamConcurrentSends: a number, or off for no limit [default: the library's, 64]" },
            v => v is null or "off" || (int.TryParse(v, Report.Inv, out var n) && n >= 1),
            "--concurrent-sends is a number of at least 1, or off.");

    internal static int? ConcurrentSends(string? option, int? libraryDefault)
        => option switch { null => libraryDefault, "off" => null, var n => int.Parse(n, Report.Inv) };

    public async Task<int> RunAsync()
    {
        await using var server = await BenchApp.StartAsync<BenchCamera>(
            "camera",
            builder =>
            {
                builder.WebHost.ConfigureKestrel(k => k.Limits.MaxResponseBufferSize = settings.ResponseBufferKb * 1024L ?? k.Limits.MaxResponseBufferSize);
                if (settings.TransportWriteBufferKb is { } kb)
                {
                    builder.WebHost.UseSockets(s => s.MaxWriteBufferSize = kb * 1024L);
                }
            },
            o =>
            {
                o.StreamSocketSendBufferBytes = settings.SendBufferKb switch { null => o.StreamSocketSendBufferBytes, "os" => null, var kb => int.Parse(kb, Report.Inv) * 1024 };
                o.StreamSlowClientThreshold = settings.Pacing ? o.StreamSlowClientThreshold : null;
                o.StreamConcurrentSends = ConcurrentSends(settings.ConcurrentSends, o.StreamConcurrentSends);
            });
        _server = server;
        using var producer = new FrameProducer(server.Get<BenchCamera>().Stream, settings.Fps, settings.FrameBytes);
        _producer = producer;
        producer.Start();
        WriteEnvironment();
        await Task.Delay(TimeSpan.FromSeconds(1));
        if (settings.Parts.Contains("fanout"))
        {
            await FanOutAsync();
        }

        if (settings.Parts.Contains("producer"))
        {
            _report.Paragraph("## Producer rate\n\n" + ProducerMoved);
        }

        if (settings.Parts.Contains("slow"))
        {
            await SlowClientsAsync();
        }

        _report.Print();
        return 0;
    }

    private void WriteEnvironment()
    {
        var send = settings.SendBufferKb switch { null => "library default (64 KiB)", "os" => "OS default", var kb => kb + " KiB" };
        _report.Environment(
            $"in-process Kestrel, one BenchCamera, {_server.BaseAddress}",
            $"open-file limit seen by the process: {Proc.OpenFileLimit()} (the fan-out needs about 2 per client plus a few)",
            $"load generator: {(settings.InProcessGenerator ? "in the server's process" : "a child process (workstation GC)")}",
            $"frames: {settings.FrameBytes / 1024} KiB at {settings.Fps} fps; StreamSocketSendBufferBytes: {send}; Kestrel MaxResponseBufferSize: {settings.ResponseBufferKb?.ToString(Report.Inv) ?? "default (64)"} KiB; socket transport MaxWriteBufferSize: {settings.TransportWriteBufferKb?.ToString(Report.Inv) ?? "default (64)"} KiB; slow-client pacing: {(settings.Pacing ? "on (200 ms)" : "off")}; StreamConcurrentSends: {settings.ConcurrentSends ?? "library default (64)"}",
            $"MB = 10^6 bytes; latency = AddFrame → last byte of the frame read by the client; CPU % of one core (machine = {Environment.ProcessorCount} cores)");
    }

    private async Task FanOutAsync()
    {
        var rows = new List<(int N, Window R)>();
        var idle = Sample.Take();
        foreach (var n in settings.Clients)
        {
            Report.Progress($"fan-out: {n} clients");
            rows.Add((n, await RunWindowAsync(normal: n, slow: 0, settings.Seconds)));
        }

        _report.Paragraph("## Fan-out");
        _report.Paragraph($"Each run: connect N clients, {settings.Warmup} s warm-up, {settings.Seconds} s measured. \"Delivered\" = frames a client received in the window / frames produced in it.");
        _report.TableHeader("clients", "connected", "fps/client median", "fps/client worst", "delivered median", "delivered worst", "aggregate MB/s", "latency p50 ms", "p99 ms", "max ms");
        foreach (var (n, r) in rows)
        {
            var (fps, lat, share) = (r.FramesPerSecond, r.LatencyMs, r.Delivered);
            _report.Line($"| {n} | {r.W.Clients.Connected} | {Stats.Median(fps):F1} | {Stats.Min(fps):F1} | {Stats.Median(share):P1} | {Stats.Min(share):P1} | {r.Normal.Sum(c => c.Bytes) / r.W.Seconds / Report.MB:F0} | {Stats.Quantile(lat, 0.5):F1} | {Stats.Quantile(lat, 0.99):F1} | {Stats.Max(lat):F0} |");
        }

        _report.Line();
        _report.Paragraph($"CPU in % of one core (the machine has {Environment.ProcessorCount} cores, so {Environment.ProcessorCount * 100} % is everything). The server process includes the producer thread; kernel network = softirq time (/proc/stat; loopback TCP processing charged to neither process); other = the rest of the machine's busy time (other jobs); /proc/stat is tick-sampled while process CPU is exact, so other can read a few % below zero. Memory is the server process: before the clients connect → at window start → at window end.");
        _report.TableHeader("clients", "server %", "generator %", "kernel network %", "other %", "machine busy %", "steal %", "server working set MB", "GC heap MB", "server gen2 GCs/s");
        foreach (var (n, r) in rows)
        {
            var (w, m) = (r.W, r.W.Machine);
            var other = m.Machine - m.SoftIrq - w.ServerCpu - (double.IsNaN(w.GeneratorCpu) ? 0 : w.GeneratorCpu);
            _report.Line($"| {n} | {w.ServerCpu * 100:F0} | {Report.Percent(w.GeneratorCpu, "(in server)")} | {m.SoftIrq * 100:F0} | {other * 100:F0} | {m.Machine * 100:F0} | {m.Steal * 100:F0} | {w.Memory} | {(w.End.Gen2Collections - w.Start.Gen2Collections) / w.SampledSeconds:F1} |");
        }

        _report.Line();
        _report.Paragraph($"Produced in each window: {string.Join(", ", rows.Select(x => $"{x.N}: {x.R.Produced / x.R.W.Seconds:F1} fps"))}. Server saw {string.Join(", ", rows.Select(x => x.R.ClientsAtStart))} clients at window start. Out-of-order parts: {rows.Sum(x => x.R.W.Clients.Clients.Sum(c => c.OutOfOrder))}. Client errors: {rows.Sum(x => x.R.W.Clients.Errors.Count)} {string.Join("; ", rows.SelectMany(x => x.R.W.Clients.Errors).Take(3))}");
        _report.Paragraph($"Server working set with 0 clients (idle, before the first run): {idle.WorkingSet / Report.MB:F0} MB, GC heap {idle.GcHeap / Report.MB:F0} MB; at the end of each window: {string.Join(", ", rows.Select(x => $"{x.N} clients {x.R.W.End.WorkingSet / Report.MB:F0} MB"))}.");
    }

    private async Task SlowClientsAsync()
    {
        var (normal, slow) = (settings.SlowNormalClients, settings.SlowClients);
        var runs = new List<(string Name, Window R)>();
        foreach (var (name, slowCount) in new[] { ($"{normal} normal", 0), ($"{normal} normal + {slow} slow", slow), ($"{normal} normal (again)", 0) })
        {
            Report.Progress($"slow clients: {name}");
            runs.Add((name, await RunWindowAsync(normal, slowCount, settings.SlowSeconds)));
        }

        _report.Paragraph("## Slow clients");
        _report.Paragraph($"{slow} clients read at {settings.SlowRateBytesPerSecond / 1024} KiB/s (4 KiB receives paced by a token bucket) with SO_RCVBUF = {settings.SlowReceiveBufferBytes / 1024} KiB, alongside {normal} normal clients; {settings.Warmup} s warm-up, {settings.SlowSeconds} s measured. One frame takes {(double)settings.FrameBytes / settings.SlowRateBytesPerSecond:F2} s to transfer at that rate.");
        _report.TableHeader("run", "normal fps median", "normal fps worst", "frames delivered worst", "latency p50 ms", "p99 ms", "max ms");
        foreach (var (name, r) in runs)
        {
            var (fps, lat) = (r.FramesPerSecond, r.LatencyMs);
            _report.Line($"| {name} | {Stats.Median(fps):F1} | {Stats.Min(fps):F1} | {Stats.Min(r.Delivered):P1} | {Stats.Quantile(lat, 0.5):F1} | {Stats.Quantile(lat, 0.99):F1} | {Stats.Max(lat):F0} |");
        }

        _report.Line();
        _report.TableHeader("slow client", "frames in window", "KiB/s read", "frame age at receipt, s (every frame, warm-up included)", "max age in window, s");
        foreach (var (client, i) in runs[1].R.W.Clients.Clients.Where(c => c.Slow).Select((c, i) => (c, i)))
        {
            var ages = string.Join(" ", client.SlowFrames.Select(f => (f.AgeMicros / 1e6).ToString("F2", Report.Inv)));
            _report.Line($"| {i + 1} | {client.Frames} | {client.Bytes / runs[1].R.W.Seconds / 1024:F1} | {ages} | {Stats.Max(client.SlowFrames.Where(f => f.InWindow).Select(f => f.AgeMicros / 1e6)):F2} |");
        }

        _report.Line();
    }

    private async Task<Window> RunWindowAsync(int normal, int slow, double seconds)
    {
        var deadline = Clock.After(15);
        while (_server.Get<BenchCamera>().Stream.ClientsConnected > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(300); // let the last connections' buffers go
        var plan = new MjpegPlan(_server.Port, settings.Warmup, seconds, normal, slow, settings.SlowRateBytesPerSecond, settings.SlowReceiveBufferBytes);
        var clientsAtStart = 0;
        var w = await LoadGenerator.RunAsync(plan, settings.InProcessGenerator ? null : ["clients"], () => clientsAtStart = _server.Get<BenchCamera>().Stream.ClientsConnected);
        return new Window(w, _producer.FramesBetween(w.Clients.WindowStart, w.Clients.WindowEnd), clientsAtStart);
    }

    /// <summary>A window, the frames the producer added in it, and the clients the server saw at its start.</summary>
    private sealed record Window(ServerWindow<StreamResult> W, int Produced, int ClientsAtStart)
    {
        public List<StreamResult> Normal => [.. W.Clients.Clients.Where(c => !c.Slow)];

        public List<double> FramesPerSecond => [.. Normal.Select(c => c.Frames / W.Seconds)];

        /// <summary>Per normal client: frames received in the window / frames produced in it.</summary>
        public List<double> Delivered => [.. Normal.Select(c => (double)c.Frames / Produced)];

        public List<double> LatencyMs => [.. Normal.SelectMany(c => c.LatencyMicros).Select(l => l / 1000.0)];
    }
}
