using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace LabThings.Benchmarks;

/// <summary>
/// MJPEG fan-out on 127.0.0.1: an in-process Kestrel server with one <see cref="BenchCamera"/>, a paced
/// producer, and N raw-socket clients (in a child process unless <c>--generator inproc</c>). Prints Markdown.
/// </summary>
internal sealed class MjpegBenchmark(MjpegSettings settings)
{
    private const double MB = 1_000_000;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly StringBuilder _report = new();
    private BenchServer _server = null!;
    private FrameProducer _producer = null!;

    public async Task<int> RunAsync()
    {
        var started = Stopwatch.StartNew();
        await using var server = await BenchServer.StartAsync(settings);
        _server = server;
        using var producer = new FrameProducer(server.Camera.Stream, settings.Fps, settings.FrameBytes);
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
            await ProducerRateAsync();
        }

        if (settings.Parts.Contains("slow"))
        {
            await SlowClientsAsync();
        }

        Line($"Late paced frames (producer more than one period behind): {producer.Late}. Total run time {started.Elapsed.TotalSeconds:F0} s.");
        Console.Out.Write(_report.ToString());
        return 0;
    }

    private void WriteEnvironment()
    {
        Line("## Environment");
        Line();
        Line($"- {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, server GC {GCSettings.IsServerGC}");
        Line($"- open-file limit seen by the process: {OpenFileLimit()} (the fan-out needs about 2 per client plus a few)");
        Line($"- load generator: {(settings.InProcessGenerator ? "in the server's process" : "a child process (workstation GC)")}");
        Line($"- frames: {settings.FrameBytes / 1024} KiB at {settings.Fps} fps; StreamSocketSendBufferBytes: {(settings.SendBufferOs ? "OS default" : settings.SendBufferBytes is { } s ? $"{s / 1024} KiB" : "library default (64 KiB)")}; Kestrel MaxResponseBufferSize: {(settings.ResponseBufferBytes is { } r ? $"{r / 1024} KiB" : "default (64 KiB)")}; socket transport MaxWriteBufferSize: {(settings.TransportWriteBufferBytes is { } t ? $"{t / 1024} KiB" : "default (64 KiB)")}");
        Line($"- MB = 10^6 bytes; latency = AddFrame → last byte of the frame read by the client; CPU % of one core (machine = {Environment.ProcessorCount} cores)");
        Line();
        var max = settings.Clients.Max();
        if (OpenFileLimit() is { } limit && limit < (2 * max) + 200)
        {
            Line($"**Warning: the open-file limit {limit} is too low for {max} clients.**");
        }
    }

    private async Task FanOutAsync()
    {
        var rows = new List<(int N, WindowResult R)>();
        var idle = Sample.Take();
        foreach (var n in settings.Clients)
        {
            Progress($"fan-out: {n} clients");
            rows.Add((n, await RunWindowAsync(Plan(n, 0, settings.Seconds))));
        }

        Line("## Fan-out");
        Line();
        Line(Inv, $"Each run: connect N clients, {settings.Warmup} s warm-up, {settings.Seconds} s measured. \"Delivered\" = frames a client received in the window / frames produced in it.");
        Line();
        Line("| clients | connected | fps/client median | fps/client worst | delivered median | delivered worst | aggregate MB/s | latency p50 ms | p99 ms | max ms |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (n, r) in rows)
        {
            var c = r.Clients;
            var fps = c.NormalFrames.Select(f => f / r.Seconds).ToList();
            var share = c.NormalFrames.Select(f => (double)f / r.Produced).ToList();
            var lat = c.LatencyMicros.Select(l => l / 1000.0).ToList();
            Line(Inv, $"| {n} | {c.Connected} | {Stats.Median(fps):F1} | {Min(fps):F1} | {Stats.Median(share):P1} | {Min(share):P1} | {c.NormalBytes.Sum() / r.Seconds / MB:F0} | {Stats.Quantile(lat, 0.5):F1} | {Stats.Quantile(lat, 0.99):F1} | {Max(lat):F0} |");
        }

        Line();
        Line("CPU in % of one core (the machine has " + Environment.ProcessorCount.ToString(Inv) + " cores, so " + (Environment.ProcessorCount * 100).ToString(Inv) + " % is everything). The server process includes the producer thread; kernel network = softirq time (/proc/stat; loopback TCP processing charged to neither process); other = the rest of the machine's busy time (other jobs); /proc/stat is tick-sampled while process CPU is exact, so other can read a few % below zero. Memory is the server process: before the clients connect → at window start → at window end.");
        Line();
        Line("| clients | server % | generator % | kernel network % | other % | machine busy % | steal % | server working set MB | GC heap MB | server gen2 GCs/s |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (n, r) in rows)
        {
            var m = r.Machine;
            var kernel = m.SoftIrq;
            var other = m.Machine - kernel - r.ServerCpu - (double.IsNaN(r.GeneratorCpu) ? 0 : r.GeneratorCpu);
            Line(Inv, $"| {n} | {r.ServerCpu * 100:F0} | {Percent(r.GeneratorCpu)} | {kernel * 100:F0} | {other * 100:F0} | {m.Machine * 100:F0} | {m.Steal * 100:F0} | {r.Before.WorkingSet / MB:F0} → {r.Start.WorkingSet / MB:F0} → {r.End.WorkingSet / MB:F0} | {r.Before.GcHeap / MB:F0} → {r.Start.GcHeap / MB:F0} → {r.End.GcHeap / MB:F0} | {(r.End.Gen2Collections - r.Start.Gen2Collections) / r.SampledSeconds:F1} |");
        }

        Line();
        Line(Inv, $"Produced in each window: {string.Join(", ", rows.Select(x => $"{x.N}: {x.R.Produced / x.R.Seconds:F1} fps"))}. Server saw {string.Join(", ", rows.Select(x => x.R.ServerClientsAtStart))} clients at window start. Out-of-order parts: {rows.Sum(x => x.R.Clients.OutOfOrder)}. Client errors: {rows.Sum(x => x.R.Clients.ErrorCount)} {string.Join("; ", rows.SelectMany(x => x.R.Clients.Errors).Take(3))}");
        Line();
        Line(Inv, $"Server working set with 0 clients (idle, before the first run): {idle.WorkingSet / MB:F0} MB, GC heap {idle.GcHeap / MB:F0} MB; at the end of each window: {string.Join(", ", rows.Select(x => $"{x.N} clients {x.R.End.WorkingSet / MB:F0} MB"))}.");
        Line();
    }

    private async Task ProducerRateAsync()
    {
        Line("## Producer rate (tight AddFrame loop)");
        Line();
        Line(Inv, $"A dedicated thread calls AddFrame with a {settings.FrameBytes / 1024} KiB frame back to back for {settings.ProducerSeconds} s (the paced producer is paused).");
        Line();
        Line("| clients | frames/s | producer thread CPU % | frames per producer CPU-second | gen0 / gen2 GCs | GC pause ms | clients' fps median | server CPU % core | generator CPU % core | machine busy % (of 200) |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var none = new List<double>();
        var ten = new List<double>();
        for (var i = 0; i < settings.ProducerRepeats; i++)
        {
            Progress($"producer rate: 0 clients ({i + 1}/{settings.ProducerRepeats})");
            await WaitForNoClientsAsync();
            var before = Sample.Take();
            var a = _producer.RunTightLoop(settings.ProducerSeconds);
            var after = Sample.Take();
            none.Add(a.FramesPerSecond);
            var seconds = Clock.Seconds(after.Timestamp - before.Timestamp);
            Line(Inv, $"| 0 | {a.FramesPerSecond:F0} | {a.ThreadCpuSeconds / a.WallSeconds:P0} | {a.Frames / a.ThreadCpuSeconds:F0} | {a.Gen0Collections} / {a.Gen2Collections} | {a.GcPauseSeconds * 1000:F0} | | {(after.ProcessCpuSeconds - before.ProcessCpuSeconds) / seconds * 100:F0} | | {CpuShares.Between(before.Machine, after.Machine, seconds).Machine * 100:F0} |");

            Progress($"producer rate: 10 clients ({i + 1}/{settings.ProducerRepeats})");
            var plan = Plan(10, 0, settings.ProducerSeconds + 0.3);
            plan.WarmupSeconds = 1;
            var r = await RunWindowAsync(plan, () => _producer.RunTightLoop(settings.ProducerSeconds));
            var b = r.TightLoop!;
            ten.Add(b.FramesPerSecond);
            var fps = r.Clients.NormalFrames.Select(f => f / r.Seconds).ToList();
            Line(Inv, $"| 10 | {b.FramesPerSecond:F0} | {b.ThreadCpuSeconds / b.WallSeconds:P0} | {b.Frames / b.ThreadCpuSeconds:F0} | {b.Gen0Collections} / {b.Gen2Collections} | {b.GcPauseSeconds * 1000:F0} | {Stats.Median(fps):F0} | {r.ServerCpu * 100:F0} | {Percent(r.GeneratorCpu)} | {r.Machine.Machine * 100:F0} |");
        }

        Line();
        var pairRatios = ten.Select((t, i) => t / none[i]).ToList();
        Line(Inv, $"**Ratio with 10 clients / with none: {ten.Average() / none.Average():P1} of the means** ({ten.Average():F0} / {none.Average():F0} frames/s); per pair {string.Join(", ", pairRatios.Select(r => r.ToString("P0", Inv)))}, median {Stats.Median(pairRatios):P0}.");
        Line();
    }

    private async Task SlowClientsAsync()
    {
        var normal = settings.SlowNormalClients;
        var runs = new List<(string Name, WindowResult R)>();
        Progress($"slow clients: {normal} normal (baseline)");
        runs.Add(($"{normal} normal", await RunWindowAsync(Plan(normal, 0, settings.SlowSeconds))));
        Progress($"slow clients: {normal} normal + {settings.SlowClients} slow");
        runs.Add(($"{normal} normal + {settings.SlowClients} slow", await RunWindowAsync(Plan(normal, settings.SlowClients, settings.SlowSeconds))));
        Progress($"slow clients: {normal} normal (baseline again)");
        runs.Add(($"{normal} normal (again)", await RunWindowAsync(Plan(normal, 0, settings.SlowSeconds))));

        Line("## Slow clients");
        Line();
        Line(Inv, $"{settings.SlowClients} clients read at {settings.SlowRateBytesPerSecond / 1024} KiB/s ({SlowReadNote}) with SO_RCVBUF = {settings.SlowReceiveBufferBytes / 1024} KiB, alongside {normal} normal clients; {settings.Warmup} s warm-up, {settings.SlowSeconds} s measured. One frame takes {(double)settings.FrameBytes / settings.SlowRateBytesPerSecond:F2} s to transfer at that rate.");
        Line();
        Line("| run | normal fps median | normal fps worst | frames delivered worst | latency p50 ms | p99 ms | max ms |");
        Line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, r) in runs)
        {
            var fps = r.Clients.NormalFrames.Select(f => f / r.Seconds).ToList();
            var lat = r.Clients.LatencyMicros.Select(l => l / 1000.0).ToList();
            Line(Inv, $"| {name} | {Stats.Median(fps):F1} | {Min(fps):F1} | {Min(r.Clients.NormalFrames.Select(f => (double)f / r.Produced)):P1} | {Stats.Quantile(lat, 0.5):F1} | {Stats.Quantile(lat, 0.99):F1} | {Max(lat):F0} |");
        }

        var slow = runs[1].R;
        Line();
        Line("| slow client | frames in window | KiB/s read | frame age at receipt, s (every frame, warm-up included) | max age in window, s |");
        Line("|---:|---:|---:|---|---:|");
        for (var i = 0; i < slow.Clients.SlowFrames.Length; i++)
        {
            var index = settings.SlowNormalClients + i;
            var frames = slow.Clients.SlowFrameAges.Where(f => f.Client == index).ToList();
            var inWindow = frames.Where(f => f.InWindow).Select(f => f.AgeMicros / 1e6).ToList();
            Line(Inv, $"| {i + 1} | {slow.Clients.SlowFrames[i]} | {slow.Clients.SlowBytes[i] / slow.Seconds / 1024:F1} | {string.Join(" ", frames.Select(f => (f.AgeMicros / 1e6).ToString("F2", Inv)))} | {Max(inWindow):F2} |");
        }

        Line();
    }

    private const string SlowReadNote = "4 KiB receives paced by a token bucket";

    private async Task<WindowResult> RunWindowAsync(ClientPlan plan, Func<TightLoopResult>? duringWindow = null)
    {
        await WaitForNoClientsAsync();
        var before = Sample.Take();
        var window = new TaskCompletionSource<(long Start, long End)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = LoadGeneratorProcess.RunAsync(plan, settings.InProcessGenerator, (s, e) => window.TrySetResult((s, e)));
        if (await Task.WhenAny(window.Task, run) == run)
        {
            await run;
            throw new InvalidOperationException("The load generator finished without opening a window.");
        }

        var (start, end) = await window.Task;
        await Clock.UntilAsync(start);
        var atStart = Sample.Take();
        var clientsAtStart = _server.Camera.Stream.ClientsConnected;
        var tight = duringWindow is null ? null : await Task.Run(duringWindow);
        await Clock.UntilAsync(end);
        var atEnd = Sample.Take();
        var report = await run;
        return new WindowResult(before, atStart, atEnd, report, _producer.FramesBetween(start, end), clientsAtStart, tight);
    }

    private async Task WaitForNoClientsAsync()
    {
        var deadline = Clock.After(15);
        while (_server.Camera.Stream.ClientsConnected > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(300); // let the last connections' buffers go
    }

    private ClientPlan Plan(int normal, int slow, double seconds) => new()
    {
        Port = _server.Port,
        NormalClients = normal,
        SlowClients = slow,
        SlowRateBytesPerSecond = settings.SlowRateBytesPerSecond,
        SlowReceiveBufferBytes = settings.SlowReceiveBufferBytes,
        WarmupSeconds = settings.Warmup,
        Seconds = seconds,
    };

    private static int? OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line is null ? null : int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], Inv);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double Min(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Min();

    private static double Max(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Max();

    private static string Percent(double cores) => double.IsNaN(cores) ? "(in server)" : (cores * 100).ToString("F0", Inv);

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private void Line(string text = "") => _report.AppendLine(text);

    private void Line(IFormatProvider provider, FormattableString text) => _report.AppendLine(text.ToString(provider));
}

internal sealed record WindowResult(Sample Before, Sample Start, Sample End, ClientReport Clients, int Produced, int ServerClientsAtStart, TightLoopResult? TightLoop)
{
    /// <summary>The clients' measured window (frames and bytes are counted in it).</summary>
    public double Seconds => Clock.Seconds(Clients.WindowEnd - Clients.WindowStart);

    /// <summary>Between the server's two samples (within a few ms of the window).</summary>
    public double SampledSeconds => Clock.Seconds(End.Timestamp - Start.Timestamp);

    public double ServerCpu => (End.ProcessCpuSeconds - Start.ProcessCpuSeconds) / SampledSeconds;

    public double GeneratorCpu => Clients.GeneratorCpuSeconds / Seconds;

    public CpuShares Machine => CpuShares.Between(Start.Machine, End.Machine, SampledSeconds);
}
