using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using LabThings.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Benchmarks;

/// <summary>
/// Notification fan-out on 127.0.0.1: an in-process Kestrel server with one <see cref="BenchTicker"/>, a setter
/// thread changing its observable property at a fixed rate, and N WebSocket observers (in a child process unless
/// <c>--generator inproc</c>). Prints Markdown.
/// </summary>
internal sealed class ObserveBenchmark(ObserveSettings settings)
{
    private const double MB = 1_000_000;
    private const string ThingName = "ticker";

    private readonly Report _report = new();

    public static int? OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line is null ? null : int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], Report.Inv);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task<int> RunAsync()
    {
        if (settings.ObserverProcess)
        {
            return await ObserverProcess.ChildMainAsync();
        }

        var started = Stopwatch.StartNew();
        var load = Report.LoadAverage();
        var folder = Path.Combine(Path.GetTempPath(), "labthings-bench-observe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var (app, port) = await StartServerAsync(folder);
            await using (app)
            {
                var ticker = app.Services.GetRequiredService<BenchTicker>();
                using var setter = new TickSetter(ticker, settings.Rate);
                setter.Start();
                await Task.Delay(TimeSpan.FromSeconds(1));

                Progress("baseline: no observers");
                var idleStart = Sample.Take();
                var idleThread = setter.ThreadSample();
                await Task.Delay(TimeSpan.FromSeconds(3));
                var idleEnd = Sample.Take();
                var baseline = new Baseline(idleStart, idleEnd, setter.Between(idleStart.Timestamp, idleEnd.Timestamp, idleThread, setter.ThreadSample()), HeapAfterLastGc());

                var rows = new List<(int N, ObserveResult R)>();
                foreach (var n in settings.Observers)
                {
                    Progress($"{n} observers");
                    rows.Add((n, await RunWindowAsync(port, n, setter)));
                    await Task.Delay(TimeSpan.FromSeconds(1)); // let the closed connections go
                }

                Write(load, baseline, rows, started.Elapsed);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await app.StopAsync(timeout.Token);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Console.Out.Write(_report.ToString());
        return 0;
    }

    private static async Task<(WebApplication App, int Port)> StartServerAsync(string settingsFolder)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls", "http://127.0.0.1:0"],
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<LabThingsOptions>(o => o.SettingsFolder = settingsFolder);
        builder.Services.AddLabThings(o => o.SwaggerUi = false).AddThing<BenchTicker>(ThingName);
        var app = builder.Build();
        app.MapThings();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (app, new Uri(address).Port);
    }

    private async Task<ObserveResult> RunWindowAsync(int port, int observers, TickSetter setter)
    {
        var plan = new ObserverPlan
        {
            Port = port,
            Path = $"/{ThingName}/ws",
            Property = "tick",
            Observers = observers,
            Client = settings.Client,
            WarmupSeconds = settings.Warmup,
            Seconds = settings.Seconds,
            GraceSeconds = settings.Grace,
        };
        var before = Sample.Take();
        var window = new TaskCompletionSource<(long Start, long End)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = ObserverProcess.RunAsync(plan, settings.InProcessGenerator, (s, e) => window.TrySetResult((s, e)));
        if (await Task.WhenAny(window.Task, run) == run)
        {
            await run;
            throw new InvalidOperationException("The observers finished without opening a window.");
        }

        var (start, end) = await window.Task;
        await Clock.UntilAsync(start);
        var atStart = Sample.Take();
        var threadStart = setter.ThreadSample();
        var gen0 = GC.CollectionCount(0);
        await Clock.UntilAsync(end);
        var atEnd = Sample.Take();
        var threadEnd = setter.ThreadSample();
        gen0 = GC.CollectionCount(0) - gen0;
        var heapAfterGc = HeapAfterLastGc();
        var report = await run;
        return new ObserveResult(before, atStart, atEnd, report, setter.Between(start, end, threadStart, threadEnd), gen0, heapAfterGc);
    }

    private void Write(double load, Baseline baseline, List<(int N, ObserveResult R)> rows, TimeSpan elapsed)
    {
        var r = _report;
        r.Line("## Environment");
        r.Line();
        r.Line($"- {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; server process: server GC {GCSettings.IsServerGC}");
        r.Line($"- observers: {(settings.InProcessGenerator ? "in the server's process" : "a child process (workstation GC)")}, {(settings.Client == ObserverClientKind.Raw ? "raw-socket WebSocket clients (64 KiB receives, own frame parser)" : "System.Net.WebSockets.ClientWebSocket")}");
        r.Line($"- open-file limit: server process {OpenFileLimit()?.ToString(Report.Inv) ?? "?"}, observer process {rows.Select(x => x.R.Clients.GeneratorOpenFileLimit).FirstOrDefault()?.ToString(Report.Inv) ?? "?"} (each observer needs one descriptor on each side)");
        r.Line($"- 1-minute load average before the run: {load:F2}");
        r.Line($"- setter: {settings.Rate:F0} sets/s of a `long` data property; {settings.Warmup} s warm-up, {settings.Seconds} s measured, {settings.Grace} s grace per run; total run time {elapsed.TotalSeconds:F0} s");
        r.Line();

        r.Line("## Delivery");
        r.Line();
        r.Line("Per observer: notifications/s = received (by receipt time) in the window / window length; delivered = notifications of changes *set* in the window that arrived before the observer stopped (window end + grace) / sets in the window; missing = sets in the window − delivered; drops = the counts in the server's `dropped` messages that precede a notification of a change set in the window (the server drops the oldest queued notifications and says so just before the next one it sends), so missing and drops should agree. Latency = receipt − set (the value is the setter's Stopwatch timestamp), over all notifications received in the window by all observers; \"worst observer p99\" is the highest per-observer p99.");
        r.Line();
        r.Line("| observers | subscribed | sets/s | notif./s per observer median | worst | delivered median | worst | missing median | max | drops reported median | max | latency p50 ms | p99 ms | max ms | worst observer p99 ms |");
        r.Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (n, x) in rows)
        {
            var c = x.Clients;
            var missing = c.DeliveredOfWindow.Select(v => (double)(x.Setter.Sets - v)).ToList();
            var rate = c.ReceivedInWindow.Select(v => v / x.Seconds).ToList();
            var share = c.DeliveredOfWindow.Select(v => x.Setter.Sets == 0 ? double.NaN : (double)v / x.Setter.Sets).ToList();
            var drops = c.DroppedReported.Select(v => (double)v).ToList();
            r.Line($"| {n} | {c.Connected} | {x.Setter.Rate:F0} | {Stats.Median(rate):F0} | {Min(rate):F0} | {Stats.Median(share):P1} | {Min(share):P1} | {Stats.Median(missing):F0} | {Max(missing):F0} | {Stats.Median(drops):F0} | {Max(drops):F0} | {Ms(LatencyHistogram.Quantile(c.Latency, 0.5))} | {Ms(LatencyHistogram.Quantile(c.Latency, 0.99))} | {Ms(LatencyHistogram.Max(c.Latency))} | {Ms(Max(c.ObserverP99Micros))} |");
        }

        r.Line();
        r.Line($"All drops reported, warm-up and grace included, summed over observers: {string.Join(", ", rows.Select(x => $"{x.N} observers {x.R.Clients.DroppedTotal.Sum()}"))}.");
        r.Line();
        r.Line($"Out-of-order or repeated values: {rows.Sum(x => x.R.Clients.OutOfOrder)}. Unexpected messages: {rows.Sum(x => x.R.Clients.OtherMessages)}. Observer errors: {rows.Sum(x => x.R.Clients.ErrorCount)} {string.Join("; ", rows.SelectMany(x => x.R.Clients.Errors).Take(3))}");
        r.Line();

        r.Line("## Cost");
        r.Line();
        r.Line($"CPU in % of one core ({Environment.ProcessorCount * 100} % = the whole machine). Server = the server process, the setter thread included. Kernel network = softirq time from /proc/stat: on loopback it runs mostly in the context of the sending and receiving threads, so it overlaps the two processes' figures rather than adding to them. Machine busy includes other jobs. Memory: server process, before the observers connect → window start → window end; GC heap = GC.GetTotalMemory (garbage not yet collected included), heap after last GC = the generations' sizes right after the last collection before the window end (GCMemoryInfo).");
        r.Line();
        r.Line("| observers | server % | observers' process % | kernel network % (overlaps) | machine busy % | steal % | server working set MB | GC heap MB | heap after last GC MB | gen0 / gen2 GCs in window |");
        r.Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var idleSeconds = Clock.Seconds(baseline.End.Timestamp - baseline.Start.Timestamp);
        var idleMachine = CpuShares.Between(baseline.Start.Machine, baseline.End.Machine, idleSeconds);
        var idleServer = (baseline.End.ProcessCpuSeconds - baseline.Start.ProcessCpuSeconds) / idleSeconds;
        r.Line($"| 0 (baseline) | {idleServer * 100:F0} | | {idleMachine.SoftIrq * 100:F0} | {idleMachine.Machine * 100:F0} | {idleMachine.Steal * 100:F0} | {baseline.End.WorkingSet / MB:F0} | {baseline.End.GcHeap / MB:F0} | {baseline.HeapAfterGc / MB:F0} | |");
        foreach (var (n, x) in rows)
        {
            var m = x.Machine;
            r.Line($"| {n} | {x.ServerCpu * 100:F0} | {(double.IsNaN(x.GeneratorCpu) ? "(in server)" : (x.GeneratorCpu * 100).ToString("F0", Report.Inv))} | {m.SoftIrq * 100:F0} | {m.Machine * 100:F0} | {m.Steal * 100:F0} | {x.Before.WorkingSet / MB:F0} → {x.Start.WorkingSet / MB:F0} → {x.End.WorkingSet / MB:F0} | {x.Before.GcHeap / MB:F0} → {x.Start.GcHeap / MB:F0} → {x.End.GcHeap / MB:F0} | {x.HeapAfterGc / MB:F0} | {x.Gen0Collections} / {x.End.Gen2Collections - x.Start.Gen2Collections} |");
        }

        r.Line();
        r.Line("## Setter");
        r.Line();
        r.Line("Sets that started in the window. Set call = wall time of the `Tick = value` statement on the setter thread (SetProperty, the change event, the server's serialization and queueing of the notification, and any time the thread lost the CPU meanwhile). Setter thread CPU per set = the thread's CPU time over the window (/proc, 10 ms ticks) / sets: it includes the pacing loop's 1 ms sleeps, so compare it with the baseline row. Preempted = the thread's involuntary context switches. Lag = how far behind its schedule a set started (the setter paces itself with 1 ms sleeps, so up to about 1 ms is normal).");
        r.Line();
        r.Line("| observers | sets | sets/s | set call p50 µs | p99 µs | max µs | mean µs | setter thread CPU µs/set | preempted (involuntary switches) per 1000 sets | lag p50 ms | p99 ms | max ms | sets skipped |");
        r.Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        SetterRow("0 (baseline)", baseline.Setter);
        foreach (var (n, x) in rows)
        {
            SetterRow(n.ToString(Report.Inv), x.Setter);
        }

        r.Line();
    }

    private void SetterRow(string name, SetterWindow s)
    {
        var durations = s.DurationMicros;
        var lags = s.LagMillis;
        var mean = durations.DefaultIfEmpty(double.NaN).Average();
        var perSet = s.Sets == 0 ? double.NaN : s.Thread.CpuSeconds * 1e6 / s.Sets;
        var preempted = s.Sets == 0 ? double.NaN : s.Thread.Involuntary * 1000.0 / s.Sets;
        _report.Line($"| {name} | {s.Sets} | {s.Rate:F0} | {Stats.Quantile(durations, 0.5):F1} | {Stats.Quantile(durations, 0.99):F1} | {Max(durations):F0} | {mean:F1} | {perSet:F1} | {preempted:F0} | {Stats.Quantile(lags, 0.5):F2} | {Stats.Quantile(lags, 0.99):F2} | {Max(lags):F1} | {s.Skipped} |");
    }

    /// <summary>The size of every generation (LOH and POH included) right after the last collection: live data plus fragmentation.</summary>
    private static long HeapAfterLastGc()
    {
        var info = GC.GetGCMemoryInfo();
        long total = 0;
        foreach (var generation in info.GenerationInfo)
        {
            total += generation.SizeAfterBytes;
        }

        return total;
    }

    private static string Ms(double micros) => double.IsNaN(micros) ? "–" : (micros / 1000).ToString(micros < 10_000 ? "F2" : "F0", Report.Inv);

    private static double Min(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Min();

    private static double Max(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Max();

    private static void Progress(string message) => Report.Progress(message);

    private sealed record Baseline(Sample Start, Sample End, SetterWindow Setter, long HeapAfterGc);
}

internal sealed record ObserveResult(Sample Before, Sample Start, Sample End, ObserverReport Clients, SetterWindow Setter, int Gen0Collections, long HeapAfterGc)
{
    /// <summary>The observers' measured window.</summary>
    public double Seconds => Clock.Seconds(Clients.WindowEnd - Clients.WindowStart);

    /// <summary>Between the server's two samples (within a few ms of the window).</summary>
    public double SampledSeconds => Clock.Seconds(End.Timestamp - Start.Timestamp);

    public double ServerCpu => (End.ProcessCpuSeconds - Start.ProcessCpuSeconds) / SampledSeconds;

    public double GeneratorCpu => Clients.GeneratorCpuSeconds / Seconds;

    public CpuShares Machine => CpuShares.Between(Start.Machine, End.Machine, SampledSeconds);
}
