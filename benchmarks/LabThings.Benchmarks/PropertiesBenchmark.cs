using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>The options of the <c>properties</c> benchmark.</summary>
internal sealed record PropertiesSettings
{
    public const string Usage = """
        properties options (all optional):
          --seconds 10                 each measured wrk run (wrk -d; whole seconds)
          --warmup 3                   an unmeasured wrk run on the same URL before each measured one, seconds (0: none)
          --threads 2                  wrk -t
          --connections 10             wrk -c
          --repeat 1                   measure the list of runs this many times
          --server process|inproc      the example server in a child process (default) or in this process
          --settings-folder DIR        the server's settings folder (default: a new temporary folder, deleted at the end)
          --only read-counter,read-brightness,write-brightness,write-frame-rate,read-bare,save
                                       read-bare: GET /value on a bare ASP.NET Core app (no LabThings), for reference
        """;

    public static readonly string[] AllParts = ["read-counter", "read-brightness", "write-brightness", "write-frame-rate", "read-bare", "save"];

    public int Seconds { get; init; } = 10;

    public int Warmup { get; init; } = 3;

    public int Threads { get; init; } = 2;

    public int Connections { get; init; } = 10;

    public int Repeat { get; init; } = 1;

    public bool InProcessServer { get; init; }

    public string? SettingsFolder { get; init; }

    public IReadOnlySet<string> Parts { get; init; } = AllParts.ToHashSet(StringComparer.Ordinal);

    public static PropertiesSettings From(CommandLine line)
    {
        var server = line.String("server", "process");
        if (server is not ("process" or "inproc"))
        {
            throw new ArgumentException("--server is process or inproc.");
        }

        var folder = line.String("settings-folder", "");
        var settings = new PropertiesSettings
        {
            Seconds = line.Int("seconds", 10),
            Warmup = line.Int("warmup", 3),
            Threads = line.Int("threads", 2),
            Connections = line.Int("connections", 10),
            Repeat = line.Int("repeat", 1),
            InProcessServer = server == "inproc",
            SettingsFolder = folder is "" ? null : Path.GetFullPath(folder),
            Parts = line.String("only", string.Join(',', AllParts)).Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        };
        if (settings.Parts.Except(AllParts).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown part '{unknown}' in --only.");
        }

        if (settings.Seconds < 1 || settings.Warmup < 0 || settings.Threads < 1 || settings.Connections < settings.Threads || settings.Repeat < 1)
        {
            throw new ArgumentException("Durations, threads and repeats must be positive, and connections at least threads.");
        }

        if (settings.Seconds > 60 || settings.Warmup > 60 || settings.Repeat > 10 || settings.Threads > 40 || settings.Connections > 1000)
        {
            throw new ArgumentException("Bounded on purpose: at most 60 s per run, 10 repeats, 40 threads, 1000 connections.");
        }

        return settings;
    }
}

/// <summary>
/// Property reads and writes over HTTP with wrk against the example server: GET /counter/counter,
/// GET /light/brightness, PUT /light/brightness (a setting: each change saves settings/light.json),
/// PUT /camera/frame_rate (not a setting). Prints Markdown.
/// </summary>
internal sealed class PropertiesBenchmark(PropertiesSettings settings)
{
    private const double ReadTarget = 33_000;
    private const double P99TargetMs = 5;

    private readonly Report _report = new();

    private sealed record Run(string Part, string Method, string Path, string Values, bool Bare = false)
    {
        public string Name => Bare ? $"{Method} /{Path} (bare ASP.NET Core)" : $"{Method} /{Path}";
    }

    public async Task<int> RunAsync()
    {
        var started = Stopwatch.StartNew();
        var wrkVersion = Wrk.Version();
        var load = Report.LoadAverage();
        var scripts = Path.Combine(Path.GetTempPath(), "labthings-bench-wrk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scripts);
        try
        {
            var getScript = Path.Combine(scripts, "get.lua");
            var putScript = Path.Combine(scripts, "put.lua");
            await File.WriteAllTextAsync(getScript, Wrk.GetScript);
            await File.WriteAllTextAsync(putScript, Wrk.PutScript);

            Report.Progress(settings.InProcessServer ? "starting the example server in this process" : "starting the example server in a child process");
            await using var server = await ExampleServerHost.StartAsync(settings.InProcessServer, settings.SettingsFolder);
            _report.Environment(
                (server.InProcess ? "examples/ExampleServer's ExampleApp.CreateApp in this process" : "examples/ExampleServer's ExampleApp.CreateApp in a child process (this program's example-server command)")
                + $", {server.BaseAddress}, warning-level logging, settings folder {server.SettingsFolder}",
                load,
                $"load generator: {wrkVersion}, -t{settings.Threads} -c{settings.Connections} -d{settings.Seconds}s --latency, on the same machine");

            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            var idle = await IdleCpuAsync(server);

            var countPerThread = 80 / settings.Threads;
            var runs = new List<Run>
            {
                new("read-counter", "GET", "counter/counter", ""),
                new("read-brightness", "GET", "light/brightness", ""),
                new("write-brightness", "PUT", "light/brightness", $"10 {countPerThread * settings.Threads}"),
                new("write-frame-rate", "PUT", "camera/frame_rate", $"10 {2 * settings.Threads}"),
                new("read-bare", "GET", "value", "", Bare: true),
            }.Where(r => settings.Parts.Contains(r.Part)).ToList();

            // The bare app runs beside the example server, whose camera keeps rendering: the same background for every run.
            await using var bare = runs.Any(r => r.Bare) ? await ExampleServerHost.StartAsync(settings.InProcessServer, settingsFolder: null, bare: true) : null;

            var results = new List<(Run Run, int Round, WrkResult Result)>();
            for (var round = 1; round <= settings.Repeat; round++)
            {
                foreach (var run in runs)
                {
                    var target = run.Bare ? bare! : server;
                    var url = new Uri(target.BaseAddress, run.Path);
                    var script = run.Method == "GET" ? getScript : putScript;
                    string[] args = run.Values is "" ? [] : [.. run.Values.Split(' '), settings.Threads.ToString(Report.Inv)];
                    if (settings.Warmup > 0)
                    {
                        Report.Progress($"{run.Name}: {settings.Warmup} s warm-up");
                        await Wrk.RunAsync(url, settings.Threads, settings.Connections, settings.Warmup, script, args, cpu: null);
                    }

                    Report.Progress($"{run.Name}: {settings.Seconds} s measured (round {round}/{settings.Repeat})");
                    var result = await Wrk.RunAsync(url, settings.Threads, settings.Connections, settings.Seconds, script, args, target.CpuSeconds);
                    await Console.Error.WriteLineAsync(result.Output);
                    results.Add((run, round, result));
                }
            }

            WriteResults(results, idle);
            if (results.Any(r => r.Run.Part == "write-brightness"))
            {
                await WriteSettingsCheckAsync(http, server);
            }

            if (settings.Parts.Contains("save"))
            {
                Report.Progress("atomic save loop");
                SaveLoop(server.SettingsFolder);
            }

            WriteTargets(results);
            _report.Line($"Total run time {started.Elapsed.TotalSeconds:F0} s.");
            Console.Out.Write(_report.ToString());
            return 0;
        }
        finally
        {
            Directory.Delete(scripts, recursive: true);
        }
    }

    private static async Task<double> IdleCpuAsync(ExampleServerHost server)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        var a = server.CpuSeconds();
        var t = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(2));
        return (server.CpuSeconds() - a) / Clock.Seconds(Stopwatch.GetTimestamp() - t);
    }

    private void WriteResults(List<(Run Run, int Round, WrkResult Result)> results, double idleCpu)
    {
        _report.Line("## Property reads and writes (wrk)");
        _report.Line();
        _report.Line($"Each run: {(settings.Warmup > 0 ? $"{settings.Warmup} s unmeasured warm-up, then " : "")}wrk -t{settings.Threads} -c{settings.Connections} -d{settings.Seconds}s --latency. Latency is wrk's (request sent → response received; closed loop, so not corrected for coordinated omission). PUT bodies: see the notes below the table.");
        _report.Line();
        _report.Line("| run | round | requests/s | p50 ms | p99 ms | mean ms | max ms | requests | socket / status / timeout errors | server % core | wrk % core | softirq % (overlaps) | other % | machine busy % |");
        _report.Line("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var (run, round, r) in results)
        {
            var c = r.Cpu;
            _report.Line($"| {run.Name} | {round} | {r.RequestsPerSecond:N0} | {r.P50Micros / 1000:F2} | {r.P99Micros / 1000:F2} | {r.MeanMicros / 1000:F2} | {r.MaxMicros / 1000:F1} | {r.Requests:N0} | {r.SocketErrors} / {r.StatusErrors} / {r.Timeouts} | {Percent(c?.Server)} | {Percent(c?.Generator)} | {Percent(c?.Machine.SoftIrq)} | {Percent(c?.Other)} | {Percent(c?.Machine.Machine)} |");
        }

        _report.Line();
        _report.Line($"CPU in % of one core ({Environment.ProcessorCount * 100} % = the whole machine), over each run minus its first and last second: server process, wrk process, softirq (loopback TCP processing; without IRQ time accounting in this kernel, a softirq that interrupts a process is charged to that process too, so this overlaps the two columns before it), other (machine busy − server − wrk: other jobs, plus network work done outside both processes; a remainder of tick-sampled counters, so it can read a few % below zero). Idle server before the runs: {idleCpu * 100:F1} % of a core (the example camera renders and encodes a 640×480 JPEG at 10 fps all the time).");
        _report.Line();
        var threads = settings.Threads;
        _report.Line($"PUT /light/brightness: wrk thread k of {threads} sends 10 + (({threads}·n + k) mod {80 / threads * threads}), n = 0, 1, 2, …, so consecutive writes always differ and every write changes the value: each one runs the setter, the change notification and the settings save (JSON of all the Thing's settings, write to light.json.tmp, fsync, rename), synchronously in the request. PUT /camera/frame_rate: values 10–{10 + (2 * threads) - 1} in the same pattern; frame_rate is not a setting, so nothing is saved.");
        _report.Line();
    }

    private async Task WriteSettingsCheckAsync(HttpClient http, ExampleServerHost server)
    {
        await Task.Delay(TimeSpan.FromSeconds(1)); // let saves still queued behind the settings lock finish
        var file = Path.Combine(server.SettingsFolder, "light.json");
        var text = File.Exists(file) ? await File.ReadAllTextAsync(file) : "";
        var current = (await http.GetStringAsync(new Uri("light/brightness", UriKind.Relative))).Trim();
        var saved = text is "" ? "(missing)" : System.Text.Json.Nodes.JsonNode.Parse(text)?["brightness"]?.ToJsonString() ?? "(none)";
        var verdict = saved == current ? "the same value" : "**not the current value**";
        _report.Line($"After the PUT runs (and 1 s more): GET /light/brightness = {current}; the saved light.json has brightness {saved}: {verdict}.");
        _report.Line();
    }

    /// <summary>The file operations of one settings save (write a temporary file, fsync, rename over), back to back for 2 s.</summary>
    private void SaveLoop(string folder)
    {
        var target = Path.Combine(folder, "save-loop.json");
        var temporary = target + ".tmp";
        var bytes = "{\n  \"brightness\": 42\n}\n"u8.ToArray();
        var count = 0;
        var timer = Stopwatch.StartNew();
        while (timer.Elapsed.TotalSeconds < 2)
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
            count++;
        }

        File.Delete(target);
        var seconds = timer.Elapsed.TotalSeconds;
        _report.Line("## Atomic save on this disk");
        _report.Line();
        _report.Line($"The file operations of one settings save (as SettingsStore.Save: create {Path.GetFileName(temporary)}, write {bytes.Length} bytes, fsync, rename over the target), back to back in one thread of this process for {seconds:F1} s, in the settings folder: **{count / seconds:N0} saves/s, {seconds * 1000 / count:F2} ms each**. Saves are serialized (SettingsStore holds a lock around them), so this bounds the rate of changing setting writes.");
        _report.Line();
    }

    private void WriteTargets(List<(Run Run, int Round, WrkResult Result)> results)
    {
        var reads = results.Where(r => r.Run.Method == "GET" && !r.Run.Bare).ToList();
        if (reads.Count == 0)
        {
            return;
        }

        _report.Line("## Targets");
        _report.Line();
        _report.Line("| target | result | met? |");
        _report.Line("|---|---|---|");
        var worstRate = reads.Min(r => r.Result.RequestsPerSecond);
        var worstP99 = reads.Max(r => r.Result.P99Micros) / 1000;
        _report.Line($"| reads ≥ {ReadTarget:N0}/s (30 × labthings-fastapi's ~1,100) | {string.Join(", ", reads.Select(r => $"{r.Run.Path} {r.Result.RequestsPerSecond:N0}"))} | **{(worstRate >= ReadTarget ? "yes" : "no")}** |");
        _report.Line($"| read p99 < {P99TargetMs} ms | {string.Join(", ", reads.Select(r => $"{r.Run.Path} {r.Result.P99Micros / 1000:F2} ms"))} | **{(worstP99 < P99TargetMs ? "yes" : "no")}** |");
        _report.Line();
    }

    private static string Percent(double? cores) => cores is { } c ? (c * 100).ToString("F0", Report.Inv) : "–";
}
