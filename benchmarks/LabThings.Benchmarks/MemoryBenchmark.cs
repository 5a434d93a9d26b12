using System.CommandLine;
using System.Diagnostics;
using System.Runtime;
using Microsoft.AspNetCore.Hosting;

namespace LabThings.Benchmarks;

/// <summary>
/// Memory of a stream server, seen from outside: the server (one <see cref="BenchCamera"/> fed at a fixed rate) runs in a
/// child process (this program's <c>stream-server</c> command; by default with the runtime settings the project template,
/// labthings-server and the example server ship, see <see cref="LabRuntime"/>, and whatever DOTNET_* variables the
/// environment gives it); this process connects the clients (<see cref="StreamClient"/>) and reads the
/// child's VmRSS and VmHWM from /proc/PID/status. Idle; rounds of clients connecting and leaving; then N clients at once.
/// </summary>
internal sealed class MemoryBenchmark(int[] clients, int rounds, int roundClients, double seconds, double fps, int frameBytes, bool pooled, double settle, int? transportWriteBufferKb, string? concurrentSends, string runtime)
{
    /// <summary>
    /// The runtime settings a LabThings server ships with (the project template's, labthings-server's and the example
    /// server's runtimeconfig: workstation GC, gen 0 at most 6 MiB), as the environment variables that set the same.
    /// A variable this process's environment already has wins.
    /// </summary>
    private static readonly Dictionary<string, string> LabRuntime = new()
    {
        ["DOTNET_gcServer"] = "0",
        ["DOTNET_GCGen0MaxBudget"] = "600000", // hexadecimal: 6 MiB, System.GC.Gen0MaxBudget = 6291456 in a runtimeconfig
    };

    private const string ReadyPrefix = "LISTENING ";
    private const string GcPrefix = "GC ";

    private readonly Report _report = new();

    public static Command Command()
    {
        var clients = Cli.Counts("--clients", "500", 0, 2000, "client counts, each connected at once for one window, after the rounds (0: none)");
        var rounds = Cli.Number("--rounds", 10, 0, 100, "rounds of clients connecting, reading and leaving");
        var roundClients = Cli.Number("--round-clients", 50, 1, 2000, "clients per round");
        var seconds = Cli.Number("--seconds", 5.0, 0.5, 60, "reading time per window or round, s");
        var fps = Cli.Number("--fps", 30.0, 0.1, 1000, "paced producer rate");
        var frameKb = Cli.Number("--frame-kb", 100, 1, 10_000, "frame size, KiB");
        var pooled = Cli.Option("--pooled", false, "the producer hands the stream pooled buffers (AddFrame(byte[], int, ArrayPool<byte>, …)) instead of a copy per frame");
        var settle = Cli.Number("--settle", 10.0, 0, 120, "idle time before the idle reading, s");
        var transport = TransportOption();
        var sends = MjpegBenchmark.ConcurrentSendsOption();
        var runtime = new Option<string>("--runtime")
        {
            Description = "the server's runtime settings: lab (as the project template, labthings-server and the example server ship: workstation GC, gen 0 at most 6 MiB) or program (this program's runtimeconfig: server GC)",
            DefaultValueFactory = _ => "lab",
        };
        runtime.AcceptOnlyFromAmong("lab", "program");
        var command = new Command("memory", "Memory (VmRSS, VmHWM) of a stream server in a child process: idle, over rounds of clients connecting and leaving, and with N clients at once")
        {
            clients, rounds, roundClients, seconds, fps, frameKb, pooled, settle, transport, sends, runtime,
        };
        command.SetAction(r => new MemoryBenchmark(
            Cli.Ints(r.GetValue(clients)), r.GetValue(rounds), r.GetValue(roundClients), r.GetValue(seconds), r.GetValue(fps), r.GetValue(frameKb) * 1024, r.GetValue(pooled), r.GetValue(settle), r.GetValue(transport), r.GetValue(sends), r.GetValue(runtime)!).RunAsync());
        return command;
    }

    /// <summary>The internal <c>stream-server</c> command: serve one producer-fed stream until stdin closes.</summary>
    public static Command ServerCommand()
    {
        var fps = Cli.Number("--fps", 30.0, 0.1, 1000, "paced producer rate");
        var frameKb = Cli.Number("--frame-kb", 100, 1, 10_000, "frame size, KiB");
        var pooled = Cli.Option("--pooled", false, "pooled frames");
        var transport = TransportOption();
        var sends = MjpegBenchmark.ConcurrentSendsOption();
        var command = new Command("stream-server", "internal: the memory command's server in a child process") { fps, frameKb, pooled, transport, sends };
        command.SetAction(async r =>
        {
            // LABTHINGS_BENCH_TRACE_LOADS=System.Private.Xml,… prints who loads those assemblies (what costs idle RSS).
            if (Environment.GetEnvironmentVariable("LABTHINGS_BENCH_TRACE_LOADS") is { } watched)
            {
                AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
                {
                    if (watched.Split(',').Any(w => e.LoadedAssembly.GetName().Name == w))
                    {
                        Console.Error.WriteLine("LOAD " + e.LoadedAssembly.GetName().Name + "\n" + Environment.StackTrace);
                    }
                };
            }

            // LABTHINGS_BENCH_TRACE_ALLOCATIONS=FILE writes what the server allocated, by type, to FILE when it ends.
            using var allocations = Environment.GetEnvironmentVariable("LABTHINGS_BENCH_TRACE_ALLOCATIONS") is { Length: > 0 } ? new AllocationSampler() : null;
            var writeBuffer = r.GetValue(transport);
            await using var server = await BenchApp.StartAsync<BenchCamera>("camera", builder =>
            {
                if (writeBuffer is { } kb)
                {
                    builder.WebHost.UseSockets(s => s.MaxWriteBufferSize = kb * 1024L);
                }
            },
            o => o.StreamConcurrentSends = MjpegBenchmark.ConcurrentSends(r.GetValue(sends), o.StreamConcurrentSends));
            using var producer = new FrameProducer(server.Get<BenchCamera>().Stream, r.GetValue(fps), r.GetValue(frameKb) * 1024, r.GetValue(pooled));
            producer.Start();
            await Console.Out.WriteLineAsync($"{ReadyPrefix}{server.Port} {GCSettings.IsServerGC} {GCSettings.LatencyMode} {AppContext.GetData("System.GC.ConserveMemory") ?? Environment.GetEnvironmentVariable("DOTNET_GCConserveMemory") ?? "-"} {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? Environment.GetEnvironmentVariable("DOTNET_GCDynamicAdaptationMode") ?? "-"} {GC.GetConfigurationVariables().GetValueOrDefault("GCGen0MaxBudget") ?? "-"}");
            while (await Console.In.ReadLineAsync() is { } line)
            {
                // Until the end of input, answer "gc" with what the GC and the thread pool hold (what RSS is made of).
                if (line == "gc")
                {
                    var info = GC.GetGCMemoryInfo(GCKind.Any);
                    await Console.Out.WriteLineAsync(string.Create(Report.Inv, $"{GcPrefix}{info.HeapSizeBytes} {info.TotalCommittedBytes} {info.GenerationInfo[3].SizeAfterBytes} {info.GenerationInfo[4].SizeAfterBytes} {ThreadPool.ThreadCount} {GC.CollectionCount(0)} {GC.CollectionCount(2)}"));
                }
            }

            if (allocations is not null)
            {
                await File.WriteAllTextAsync(Environment.GetEnvironmentVariable("LABTHINGS_BENCH_TRACE_ALLOCATIONS")!, allocations.Report(40));
            }

            return 0;
        });
        return command;
    }

    private static Option<int?> TransportOption() => new("--transport-write-buffer-kb") { Description = "Kestrel socket transport MaxWriteBufferSize, KiB [default: Kestrel's, 64]" };

    public async Task<int> RunAsync()
    {
        string[] args = [
            "stream-server", "--fps", fps.ToString(Report.Inv), "--frame-kb", (frameBytes / 1024).ToString(Report.Inv), .. pooled ? new[] { "--pooled", "true" } : [],
            .. transportWriteBufferKb is { } kb ? new[] { "--transport-write-buffer-kb", kb.ToString(Report.Inv) } : [],
            .. concurrentSends is { } cs ? new[] { "--concurrent-sends", cs } : []];
        var environment = runtime == "lab"
            ? LabRuntime.Where(v => Environment.GetEnvironmentVariable(v.Key) is null).ToDictionary()
            : null;
        await using var child = ChildProcess.Start(args, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = (await child.ReadUntilAsync(ReadyPrefix, null, timeout.Token)).Split(' ');
        var port = int.Parse(ready[0], Report.Inv);
        var pid = child.Id;
        var variables = string.Join(" ", Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) && k != "DOTNET_CLI_TELEMETRY_OPTOUT").Order().Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}"));
        _report.Environment(
            $"stream-server child process (pid {pid}): BenchApp with one BenchCamera, {frameBytes / 1024} KiB frames at {fps} fps, {(pooled ? "pooled AddFrame" : "copying AddFrame")}; socket transport MaxWriteBufferSize {transportWriteBufferKb?.ToString(Report.Inv) ?? "default (64)"} KiB; StreamConcurrentSends {concurrentSends ?? "library default (64)"}; server GC {ready[1]}, latency mode {ready[2]}, GCConserveMemory {ready[3]}, GCDynamicAdaptationMode {ready[4]}, gen 0 budget at most {ready[5]} bytes; runtime settings: {(runtime == "lab" ? "lab (as shipped)" : "this program's")}",
            $"DOTNET_ variables: {(variables.Length > 0 ? variables : "none")}{(environment is { Count: > 0 } ? "; for the server also " + string.Join(" ", environment.Select(v => $"{v.Key}={v.Value}")) : "")}",
            "clients in this process; RSS = VmRSS, peak = VmHWM of the server process (/proc/PID/status); MiB = 2^20 bytes");

        await Task.Delay(TimeSpan.FromSeconds(settle));
        var idle = Status(pid);
        Report.Progress($"idle: RSS {idle.Rss:F1} MiB, peak {idle.Peak:F1} MiB");
        _report.Paragraph("## Idle");
        _report.Paragraph($"After {settle} s with the producer running and no client: RSS **{idle.Rss:F1} MiB**, peak {idle.Peak:F1} MiB, {idle.Threads} threads, anonymous {idle.Anonymous:F1} MiB.");
        await GcTableAsync(child);

        // What a server holds once it has been used at all: a Thing Description, a property read, a checked write and an
        // action with an input load code (routing, JSON serialization, schema validation) that no idle reading sees.
        Report.Progress("first use");
        var used = await FirstUseAsync(port);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var afterUse = Status(pid);
        _report.Paragraph("## After first use");
        _report.Paragraph($"GET /camera/ (the TD), GET /camera/exposure, PUT /camera/exposure, POST /camera/capture with an input, and the answers: {used}. RSS 3 s later: **{afterUse.Rss:F1} MiB** ({afterUse.Rss - idle.Rss:+0.0;-0.0;0.0} from idle), anonymous {afterUse.Anonymous:F1} MiB.");
        await GcTableAsync(child);

        if (rounds > 0)
        {
            _report.Paragraph($"## Rounds of {roundClients} clients");
            _report.Paragraph($"Each round: {roundClients} clients connect, read for {seconds} s and close; RSS 3 s after they left.");
            _report.TableHeader("round", "RSS after MiB", "change from the end of round 1 MiB", "peak MiB", "threads", "anonymous MiB", "GC heap MiB", "GC committed MiB", "LOH MiB", "POH MiB", "pool threads", "gen0 / gen2 GCs");
            double? afterFirst = null;
            for (var i = 1; i <= rounds; i++)
            {
                Report.Progress($"round {i}");
                await WindowAsync(pid, port, roundClients);
                await Task.Delay(TimeSpan.FromSeconds(3));
                var after = Status(pid);
                afterFirst ??= after.Rss;
                var gc = await GcAsync(child);
                _report.Line($"| {i} | {after.Rss:F1} | {after.Rss - afterFirst:+0.0;-0.0;0.0} | {after.Peak:F1} | {after.Threads} | {after.Anonymous:F1} | {gc}");
            }

            _report.Line();
        }

        _report.Paragraph("## Clients at once");
        _report.TableHeader("clients", "connected", "delivered median", "delivered worst", "RSS at window start MiB", "RSS at window end MiB", "peak MiB", "RSS per client KiB (end − idle) / N", "anonymous at end MiB", "GC heap MiB", "GC committed MiB", "LOH MiB", "POH MiB", "pool threads", "gen0 / gen2 GCs");
        foreach (var n in clients.Where(n => n > 0))
        {
            Report.Progress($"{n} clients");
            Task<string>? gcAtEnd = null;
            var (start, end, result) = await WindowAsync(pid, port, n, () => gcAtEnd = GcAsync(child));
            var gc = gcAtEnd is null ? string.Concat(Enumerable.Repeat(" |", 7)) : await gcAtEnd;
            var delivered = Delivered(result.Clients);
            _report.Line($"| {n} | {result.Clients.Connected} | {Stats.Median(delivered):P1} | {Stats.Min(delivered):P1} | {start.Rss:F1} | {end.Rss:F1} | {end.Peak:F1} | {(end.Rss - idle.Rss) * 1024 / n:F0} | {end.Anonymous:F1} | {gc}");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        _report.Line();
        _report.Print();
        return 0;
    }

    /// <summary>The child's GC heap, committed, LOH and POH sizes (MiB), thread-pool threads and GC counts, as table cells.</summary>
    private static async Task<string> GcAsync(ChildProcess child)
    {
        await child.WriteLineAsync("gc");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var v = (await child.ReadUntilAsync(GcPrefix, null, timeout.Token)).Split(' ').Select(x => double.Parse(x, Report.Inv)).ToArray();
        const double MiB = 1024 * 1024;
        return string.Create(Report.Inv, $"{v[0] / MiB:F1} | {v[1] / MiB:F1} | {v[2] / MiB:F1} | {v[3] / MiB:F1} | {v[4]:F0} | {v[5]:F0} / {v[6]:F0} |");
    }

    private List<double> Delivered(LoadReport<StreamResult> report)
    {
        var seconds = Clock.Seconds(report.WindowEnd - report.WindowStart);
        return [.. report.Clients.Select(c => c.Frames / seconds / fps)];
    }

    private async Task<(ProcStatus Start, ProcStatus End, ServerWindow<StreamResult> Result)> WindowAsync(int pid, int port, int n, Action? atEnd = null)
    {
        ProcStatus start = default, end = default;
        var plan = new MjpegPlan(port, 1, seconds, n, 0, 0, 0);
        var result = await LoadGenerator.RunAsync(plan, null, () => start = Status(pid), () =>
        {
            end = Status(pid);
            atEnd?.Invoke();
        });
        return (start, end, result);
    }

    /// <summary>A one-row table of what the server's GC and thread pool hold now.</summary>
    private async Task GcTableAsync(ChildProcess child)
    {
        _report.Line("| GC heap MiB | GC committed MiB | LOH MiB | POH MiB | pool threads | gen0 / gen2 GCs |");
        _report.Line("|---:|---:|---:|---:|---:|---:|");
        _report.Line("| " + await GcAsync(child));
        _report.Line();
    }

    /// <summary>One request of each kind a client makes first; returns their status codes.</summary>
    private static async Task<string> FirstUseAsync(int port)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        using var td = await http.GetAsync("camera/");
        using var read = await http.GetAsync("camera/exposure");
        using var write = await http.PutAsync("camera/exposure", new StringContent("20", System.Text.Encoding.UTF8, "application/json"));
        using var invoke = await http.PostAsync("camera/capture", new StringContent("{\"count\": 1}", System.Text.Encoding.UTF8, "application/json"));
        return string.Join(", ", new[] { td, read, write, invoke }.Select(r => ((int)r.StatusCode).ToString(Report.Inv)));
    }

    private static ProcStatus Status(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/status");
        double Kb(string key) => double.Parse(lines.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split([" ", "\t"], StringSplitOptions.RemoveEmptyEntries)[1], Report.Inv) / 1024;
        return new ProcStatus(Kb("VmRSS:"), Kb("VmHWM:"), (int)(Kb("Threads:") * 1024), Kb("RssAnon:"));
    }

    /// <summary>Resident set size and its peak, MiB; threads; the anonymous part of RSS (GC heap, native heaps, stacks), MiB.</summary>
    private readonly record struct ProcStatus(double Rss, double Peak, int Threads, double Anonymous);
}
