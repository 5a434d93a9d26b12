using System.CommandLine;
using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>The options of the <c>properties</c> command.</summary>
internal sealed record PropertiesSettings(int Seconds, int Warmup, int Threads, int Connections, int Repeat, string? SettingsFolder, IReadOnlySet<string> Parts);

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

    public static Command Command()
    {
        var seconds = Cli.Number("--seconds", 10, 1, 60, "each measured wrk run, whole seconds (wrk -d)");
        var warmup = Cli.Number("--warmup", 3, 0, 60, "an unmeasured wrk run on the same URL before each measured one, s (0: none)");
        var threads = Cli.Number("--threads", 2, 1, 40, "wrk -t");
        var connections = Cli.Number("--connections", 10, 1, 1000, "wrk -c (wrk wants at least --threads)");
        var repeat = Cli.Number("--repeat", 1, 1, 10, "measure the list of runs this many times");
        var folder = new Option<string?>("--settings-folder") { Description = "the server's settings folder [default: a new temporary folder, deleted at the end]" };
        var only = Cli.Parts(["read-counter", "read-brightness", "write-brightness", "write-frame-rate", "read-bare", "save"], "run only these parts (read-bare: GET /value on a bare ASP.NET Core app, for reference; save: the settings save's file operations in a loop)");
        var command = new Command("properties", "Property reads and writes over HTTP with wrk against the example server, a bare ASP.NET Core app for reference, and the disk's atomic-save rate")
        {
            seconds, warmup, threads, connections, repeat, folder, only,
        };
        command.SetAction(r => new PropertiesBenchmark(new PropertiesSettings(
            r.GetValue(seconds), r.GetValue(warmup), r.GetValue(threads), r.GetValue(connections), r.GetValue(repeat),
            r.GetValue(folder) is { } path ? Path.GetFullPath(path) : null, Cli.Names(r.GetValue(only)))).RunAsync());
        return command;
    }

    /// <summary>One wrk run: its part name, request, the arguments of put.lua (lowest value, how many, threads), and whether it is the bare app's.</summary>
    private sealed record Run(string Part, string Method, string Path, string[] ScriptArgs, bool Bare = false)
    {
        public string Name => Bare ? $"{Method} /{Path} (bare ASP.NET Core)" : $"{Method} /{Path}";
    }

    public async Task<int> RunAsync()
    {
        var wrkVersion = await Wrk.VersionAsync();
        await using var server = await ExampleServerHost.StartAsync(settings.SettingsFolder);
        _report.Environment(
            server.Description,
            $"load generator: {wrkVersion}, -t{settings.Threads} -c{settings.Connections} -d{settings.Seconds}s --latency, on the same machine");
        var idle = await IdleCpuAsync(server);

        var (threads, valuesPerThread) = (settings.Threads, 80 / settings.Threads);
        var runs = new List<Run>
        {
            new("read-counter", "GET", "counter/counter", []),
            new("read-brightness", "GET", "light/brightness", []),
            new("write-brightness", "PUT", "light/brightness", ["10", $"{valuesPerThread * threads}", $"{threads}"]),
            new("write-frame-rate", "PUT", "camera/frame_rate", ["10", $"{2 * threads}", $"{threads}"]),
            new("read-bare", "GET", "value", [], Bare: true),
        }.Where(r => settings.Parts.Contains(r.Part)).ToList();

        // The bare app runs beside the example server, whose camera keeps rendering: the same background for every run.
        await using var bare = runs.Any(r => r.Bare) ? await ExampleServerHost.StartAsync(settingsFolder: null, bare: true) : null;
        var results = new List<(Run Run, int Round, WrkResult Result)>();
        for (var round = 1; round <= settings.Repeat; round++)
        {
            foreach (var run in runs)
            {
                var target = run.Bare ? bare! : server;
                var (url, script) = (new Uri(target.BaseAddress, run.Path), run.Method == "GET" ? "done.lua" : "put.lua");
                if (settings.Warmup > 0)
                {
                    Report.Progress($"{run.Name}: {settings.Warmup} s warm-up");
                    await Wrk.RunAsync(url, threads, settings.Connections, settings.Warmup, script, run.ScriptArgs, cpu: null);
                }

                Report.Progress($"{run.Name}: {settings.Seconds} s measured (round {round}/{settings.Repeat})");
                var result = await Wrk.RunAsync(url, threads, settings.Connections, settings.Seconds, script, run.ScriptArgs, target.CpuSeconds);
                await Console.Error.WriteLineAsync(result.Output);
                results.Add((run, round, result));
            }
        }

        WriteResults(results, idle);
        if (results.Any(r => r.Run.Part == "write-brightness"))
        {
            await WriteSettingsCheckAsync(server);
        }

        if (settings.Parts.Contains("save"))
        {
            Report.Progress("atomic save loop");
            SaveLoop(server.SettingsFolder);
        }

        if (results.Any(r => r.Run.Method == "GET" && !r.Run.Bare))
        {
            WriteTargets(results);
        }

        _report.Print();
        return 0;
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
        _report.Paragraph("## Property reads and writes (wrk)");
        _report.Paragraph($"Each run: {(settings.Warmup > 0 ? $"{settings.Warmup} s unmeasured warm-up, then " : "")}wrk -t{settings.Threads} -c{settings.Connections} -d{settings.Seconds}s --latency. Latency is wrk's (request sent → response received; closed loop, so not corrected for coordinated omission). PUT bodies: see the notes below the table.");
        _report.TableHeader("run", "round", "requests/s", "p50 ms", "p99 ms", "mean ms", "max ms", "requests", "socket / status / timeout errors", "server % core", "wrk % core", "softirq % (overlaps)", "other %", "machine busy %");
        foreach (var (run, round, r) in results)
        {
            var c = r.Cpu;
            _report.Line($"| {run.Name} | {round} | {r.RequestsPerSecond:N0} | {r.P50Micros / 1000:F2} | {r.P99Micros / 1000:F2} | {r.MeanMicros / 1000:F2} | {r.MaxMicros / 1000:F1} | {r.Requests:N0} | {r.SocketErrors} / {r.StatusErrors} / {r.Timeouts} | {Report.Percent(c?.Server)} | {Report.Percent(c?.Generator)} | {Report.Percent(c?.Machine.SoftIrq)} | {Report.Percent(c?.Other)} | {Report.Percent(c?.Machine.Machine)} |");
        }

        _report.Line();
        _report.Paragraph($"CPU in % of one core ({Environment.ProcessorCount * 100} % = the whole machine), over each run minus its first and last second: server process, wrk process, softirq (loopback TCP processing; without IRQ time accounting in this kernel, a softirq that interrupts a process is charged to that process too, so this overlaps the two columns before it), other (machine busy − server − wrk: other jobs, plus network work done outside both processes; a remainder of tick-sampled counters, so it can read a few % below zero). Idle server before the runs: {idleCpu * 100:F1} % of a core (the example camera renders and encodes a 640×480 JPEG at 10 fps all the time).");
        var threads = settings.Threads;
        _report.Paragraph($"PUT /light/brightness: wrk thread k of {threads} sends 10 + (({threads}·n + k) mod {80 / threads * threads}), n = 0, 1, 2, …, so consecutive writes always differ and every write changes the value: each one runs the setter, the change notification and the settings save (JSON of all the Thing's settings, write to light.json.tmp, fsync, rename), synchronously in the request. PUT /camera/frame_rate: values 10–{10 + (2 * threads) - 1} in the same pattern; frame_rate is not a setting, so nothing is saved.");
    }

    private async Task WriteSettingsCheckAsync(ExampleServerHost server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await Task.Delay(TimeSpan.FromSeconds(1)); // let saves still queued behind the settings lock finish
        var file = Path.Combine(server.SettingsFolder, "light.json");
        var text = File.Exists(file) ? await File.ReadAllTextAsync(file) : "";
        var current = (await http.GetStringAsync(new Uri("light/brightness", UriKind.Relative))).Trim();
        var saved = text is "" ? "(missing)" : System.Text.Json.Nodes.JsonNode.Parse(text)?["brightness"]?.ToJsonString() ?? "(none)";
        var verdict = saved == current ? "the same value" : "**not the current value**";
        _report.Paragraph($"After the PUT runs (and 1 s more): GET /light/brightness = {current}; the saved light.json has brightness {saved}: {verdict}.");
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
        _report.Paragraph("## Atomic save on this disk");
        _report.Paragraph($"The file operations of one settings save (as SettingsStore.Save: create {Path.GetFileName(temporary)}, write {bytes.Length} bytes, fsync, rename over the target), back to back in one thread of this process for {seconds:F1} s, in the settings folder: **{count / seconds:N0} saves/s, {seconds * 1000 / count:F2} ms each**. Saves are serialized (SettingsStore holds a lock around them), so this bounds the rate of changing setting writes.");
    }

    private void WriteTargets(List<(Run Run, int Round, WrkResult Result)> results)
    {
        var reads = results.Where(r => r.Run.Method == "GET" && !r.Run.Bare).Select(r => (r.Run.Path, r.Result)).ToList();
        _report.Paragraph("## Targets");
        _report.TableHeader("target", "result", "met?");
        _report.Line($"| reads ≥ {ReadTarget:N0}/s (30 × labthings-fastapi's ~1,100) | {string.Join(", ", reads.Select(r => $"{r.Path} {r.Result.RequestsPerSecond:N0}"))} | **{(reads.All(r => r.Result.RequestsPerSecond >= ReadTarget) ? "yes" : "no")}** |");
        _report.Paragraph($"| read p99 < {P99TargetMs} ms | {string.Join(", ", reads.Select(r => $"{r.Path} {r.Result.P99Micros / 1000:F2} ms"))} | **{(reads.All(r => r.Result.P99Micros / 1000 < P99TargetMs) ? "yes" : "no")}** |");
    }
}
