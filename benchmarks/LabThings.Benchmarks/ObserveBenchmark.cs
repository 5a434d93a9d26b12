using System.CommandLine;

namespace LabThings.Benchmarks;

/// <summary>The options of the <c>observe</c> command.</summary>
internal sealed record ObserveSettings(int[] Observers, double Rate, double Seconds, double Warmup, double Grace, bool InProcessGenerator);

/// <summary>
/// Notification fan-out on 127.0.0.1: an in-process Kestrel server with one <see cref="BenchTicker"/>, a setter thread
/// changing its observable property at a fixed rate, and N <see cref="WebSocketObserver"/>s (in a child process unless
/// <c>--generator inproc</c>). Prints Markdown.
/// </summary>
internal sealed class ObserveBenchmark(ObserveSettings settings)
{
    private readonly Report _report = new();

    public static Command Command()
    {
        var observers = Cli.Counts("--observers", "1,100,1000", 1, 5000, "WebSocket observer counts, one run each (after a baseline run with none)");
        var rate = Cli.Number("--rate", 1000.0, 1, 20_000, "property changes per second (a paced setter thread)");
        var seconds = Cli.Number("--seconds", 10.0, 0.1, 60, "measured window per run, s (after the warm-up)");
        var warmup = Cli.Number("--warmup", 2.0, 0, 30, "warm-up before each window, s");
        var grace = Cli.Number("--grace", 1.0, 0, 10, "after the window, how long observers keep reading before they stop, s");
        var generator = Cli.Option("--generator", "process", "the observers in a child process, or in the server's process").AcceptOnlyFromAmong("process", "inproc");
        var child = new Option<bool>("--observer-process") { Description = "internal: be the observers' child process (reads its plan from stdin)" };
        var command = new Command("observe", "Notification fan-out: one property changed 1,000 times a second, watched by 1 to 1,000 WebSocket observers")
        {
            observers, rate, seconds, warmup, grace, generator, child,
        };
        command.SetAction(r => r.GetValue(child)
            ? LoadGenerator.ChildMainAsync<ObserverPlan, ObserverResult>()
            : new ObserveBenchmark(new ObserveSettings(
                Cli.Ints(r.GetValue(observers)), r.GetValue(rate), r.GetValue(seconds), r.GetValue(warmup), r.GetValue(grace), r.GetValue(generator) == "inproc")).RunAsync());
        return command;
    }

    public async Task<int> RunAsync()
    {
        await using var server = await BenchApp.StartAsync<BenchTicker>("ticker");
        using var setter = new TickSetter(server.Get<BenchTicker>(), settings.Rate);
        setter.Start();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var rows = new List<(int N, Window R)>();
        foreach (var n in settings.Observers.Prepend(0).Distinct())
        {
            Report.Progress(n == 0 ? "baseline: no observers" : $"{n} observers");
            rows.Add((n, await RunWindowAsync(server.Port, n, setter)));
            await Task.Delay(TimeSpan.FromSeconds(1)); // let the closed connections go
        }

        Write(rows);
        _report.Print();
        return 0;
    }

    private async Task<Window> RunWindowAsync(int port, int observers, TickSetter setter)
    {
        var plan = new ObserverPlan(port, settings.Warmup, settings.Seconds, settings.Grace, observers);
        var (threadStart, threadEnd, gen0, heap) = (default(ThreadSample), default(ThreadSample), 0, 0L);
        var w = await LoadGenerator.RunAsync(
            plan,
            settings.InProcessGenerator ? null : ["observe", "--observer-process"],
            () => (threadStart, gen0) = (setter.ThreadSample(), GC.CollectionCount(0)),
            () => (threadEnd, gen0, heap) = (setter.ThreadSample(), GC.CollectionCount(0) - gen0, Proc.HeapAfterLastGc()));
        return new Window(w, setter.Between(w.Clients.WindowStart, w.Clients.WindowEnd, threadStart, threadEnd), gen0, heap);
    }

    private void Write(List<(int N, Window R)> rows)
    {
        var r = _report;
        r.Environment(
            $"in-process Kestrel, one BenchTicker, {settings.Rate:F0} sets/s of a `long` data property",
            $"observers: {(settings.InProcessGenerator ? "in the server's process" : "a child process (workstation GC)")}, raw-socket WebSocket clients (64 KiB receives, own frame parser)",
            $"open-file limit: server process {Proc.OpenFileLimit()?.ToString(Report.Inv) ?? "?"}, observer process {rows.Select(x => x.R.W.Clients.GeneratorOpenFileLimit).FirstOrDefault()?.ToString(Report.Inv) ?? "?"} (each observer needs one descriptor on each side)",
            $"{settings.Warmup} s warm-up, {settings.Seconds} s measured, {settings.Grace} s grace per run");

        r.Paragraph("## Delivery");
        r.Paragraph("Per observer: notifications/s = received (by receipt time) in the window / window length; delivered = notifications of changes *set* in the window that arrived before the observer stopped (window end + grace) / sets in the window; missing = sets in the window − delivered; drops = the counts in the server's `dropped` messages that precede a notification of a change set in the window (the server drops the oldest queued notifications and says so just before the next one it sends), so missing and drops should agree. Latency = receipt − set (the value is the setter's Stopwatch timestamp), over all notifications received in the window by all observers; \"worst observer p99\" is the highest per-observer p99.");
        r.TableHeader("observers", "subscribed", "sets/s", "notif./s per observer median", "worst", "delivered median", "worst", "missing median", "max", "drops reported median", "max", "latency p50 ms", "p99 ms", "max ms", "worst observer p99 ms");
        foreach (var (n, x) in rows.Where(x => x.N > 0))
        {
            var (c, sets) = (x.W.Clients.Clients.Where(o => o.Subscribed).ToList(), x.Setter.Sets);
            var missing = c.Select(o => (double)(sets - o.DeliveredOfWindow)).ToList();
            var rate = c.Select(o => o.ReceivedInWindow / x.W.Seconds).ToList();
            var share = c.Select(o => sets == 0 ? double.NaN : (double)o.DeliveredOfWindow / sets).ToList();
            var drops = c.Select(o => (double)o.DroppedReported).ToList();
            var latency = LatencyHistogram.Sum(c.Select(o => o.Latency));
            r.Line($"| {n} | {x.W.Clients.Connected} | {x.Setter.Rate:F0} | {Stats.Median(rate):F0} | {Stats.Min(rate):F0} | {Stats.Median(share):P1} | {Stats.Min(share):P1} | {Stats.Median(missing):F0} | {Stats.Max(missing):F0} | {Stats.Median(drops):F0} | {Stats.Max(drops):F0} | {Ms(LatencyHistogram.Quantile(latency, 0.5))} | {Ms(LatencyHistogram.Quantile(latency, 0.99))} | {Ms(LatencyHistogram.Max(latency))} | {Ms(Stats.Max(c.Select(o => LatencyHistogram.Quantile(o.Latency, 0.99))))} |");
        }

        r.Line();
        var observers = rows.SelectMany(x => x.R.W.Clients.Clients).ToList();
        r.Paragraph($"All drops reported, warm-up and grace included, summed over observers: {string.Join(", ", rows.Select(x => $"{x.N} observers {x.R.W.Clients.Clients.Sum(o => o.DroppedTotal)}"))}.");
        r.Paragraph($"Out-of-order or repeated values: {observers.Sum(o => o.OutOfOrder)}. Observers that got an unexpected message: {observers.Count(o => o.OtherMessage is not null)} {observers.Select(o => o.OtherMessage).FirstOrDefault(m => m is not null)}. Observer errors: {rows.Sum(x => x.R.W.Clients.Errors.Count)} {string.Join("; ", rows.SelectMany(x => x.R.W.Clients.Errors).Take(3))}");

        r.Paragraph("## Cost");
        r.Paragraph($"CPU in % of one core ({Environment.ProcessorCount * 100} % = the whole machine). Server = the server process, the setter thread included. Kernel network = softirq time from /proc/stat: on loopback it runs mostly in the context of the sending and receiving threads, so it overlaps the two processes' figures rather than adding to them. Machine busy includes other jobs. Memory: server process, before the observers connect → window start → window end; GC heap = GC.GetTotalMemory (garbage not yet collected included), heap after last GC = the generations' sizes right after the last collection before the window end (GCMemoryInfo).");
        r.TableHeader("observers", "server %", "observers' process %", "kernel network % (overlaps)", "machine busy %", "steal %", "server working set MB", "GC heap MB", "heap after last GC MB", "gen0 / gen2 GCs in window");
        foreach (var (n, x) in rows)
        {
            var (w, m) = (x.W, x.W.Machine);
            r.Line($"| {Name(n)} | {w.ServerCpu * 100:F0} | {Report.Percent(w.GeneratorCpu, "(in server)")} | {m.SoftIrq * 100:F0} | {m.Machine * 100:F0} | {m.Steal * 100:F0} | {w.Memory} | {(x.HeapAfterGc > 0 ? (x.HeapAfterGc / Report.MB).ToString("F0", Report.Inv) : "– (no GC yet)")} | {x.Gen0Collections} / {w.End.Gen2Collections - w.Start.Gen2Collections} |");
        }

        r.Line();
        r.Paragraph("## Setter");
        r.Paragraph("Sets that started in the window. Set call = wall time of the `Tick = value` statement on the setter thread (SetProperty, the change event, the server's serialization and queueing of the notification, and any time the thread lost the CPU meanwhile). Setter thread CPU per set = the thread's CPU time over the window (/proc, 10 ms ticks) / sets: it includes the pacing loop's 1 ms sleeps, so compare it with the baseline row. Preempted = the thread's involuntary context switches. Lag = how far behind its schedule a set started (the setter paces itself with 1 ms sleeps, so up to about 1 ms is normal).");
        r.TableHeader("observers", "sets", "sets/s", "set call p50 µs", "p99 µs", "max µs", "mean µs", "setter thread CPU µs/set", "preempted (involuntary switches) per 1000 sets", "lag p50 ms", "p99 ms", "max ms", "sets skipped");
        foreach (var (name, s) in rows.Select(x => (Name(x.N), x.R.Setter)))
        {
            var (durations, lags) = (s.DurationMicros, s.LagMillis);
            var perSet = s.Sets == 0 ? double.NaN : s.Thread.CpuSeconds * 1e6 / s.Sets;
            var preempted = s.Sets == 0 ? double.NaN : s.Thread.Involuntary * 1000.0 / s.Sets;
            r.Line($"| {name} | {s.Sets} | {s.Rate:F0} | {Stats.Quantile(durations, 0.5):F1} | {Stats.Quantile(durations, 0.99):F1} | {Stats.Max(durations):F0} | {Stats.Mean(durations):F1} | {perSet:F1} | {preempted:F0} | {Stats.Quantile(lags, 0.5):F2} | {Stats.Quantile(lags, 0.99):F2} | {Stats.Max(lags):F1} | {s.Skipped} |");
        }

        r.Line();
    }

    private static string Ms(double micros) => double.IsNaN(micros) ? "–" : (micros / 1000).ToString(micros < 10_000 ? "F2" : "F0", Report.Inv);

    private static string Name(int observers) => observers == 0 ? "0 (baseline)" : observers.ToString(Report.Inv);

    /// <summary>A window, the setter's sets in it, the server's gen0 GCs in it and its heap after the last GC.</summary>
    private sealed record Window(ServerWindow<ObserverResult> W, SetterWindow Setter, int Gen0Collections, long HeapAfterGc);
}
