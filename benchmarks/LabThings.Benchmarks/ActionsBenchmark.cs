using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace LabThings.Benchmarks;

/// <summary>The options of the <c>actions</c> command.</summary>
internal sealed record ActionsSettings(int Sequential, int WarmupCount, int Clients, double Seconds, double Warmup, IReadOnlySet<string> Parts);

/// <summary>
/// Action invocation round trips against the example server with HttpClient: POST /counter/increment_counter,
/// poll the invocation until it has completed, GET its output; and POST /counter/increment_counter/sync.
/// Sequential and with concurrent clients. Prints Markdown.
/// </summary>
internal sealed class ActionsBenchmark(ActionsSettings settings)
{
    private const double SequentialTargetMs = 1.38;
    private const double MinCpuSeconds = 2;
    private static readonly string[] Kinds = ["get", "async", "sync"];

    private readonly Report _report = new();
    private readonly List<Row> _rows = [];
    private ExampleServerHost _server = null!;

    public static Command Command()
    {
        var sequential = Cli.Number("--sequential", 100, 1, 100_000, "measured sequential round trips per run");
        var warmupCount = Cli.Number("--warmup-count", 20, 0, 100_000, "unmeasured round trips before them");
        var clients = Cli.Number("--clients", 10, 0, 200, "concurrent clients, each its own HttpClient and connection (0: no concurrent runs)");
        var seconds = Cli.Number("--seconds", 10.0, 0.1, 60, "measured window of the concurrent runs, s");
        var warmup = Cli.Number("--warmup", 2.0, 0, 60, "concurrent warm-up before that window, s");
        var only = Cli.Parts(["get", "async", "sync", "retained"], "run only these parts (get: sequential GET /counter/counter, the HTTP floor; async: POST, poll, output; sync: POST …/sync; retained: the sequential runs again after the concurrent ones)");
        var command = new Command("actions", "Action invocation round trips over HTTP against the example server: POST, poll and output, or POST …/sync; sequential and concurrent")
        {
            sequential, warmupCount, clients, seconds, warmup, only,
        };
        command.SetAction(r => new ActionsBenchmark(new ActionsSettings(
            r.GetValue(sequential), r.GetValue(warmupCount), r.GetValue(clients), r.GetValue(seconds), r.GetValue(warmup), Cli.Names(r.GetValue(only)))).RunAsync());
        return command;
    }

    public async Task<int> RunAsync()
    {
        await using var server = await ExampleServerHost.StartAsync(settingsFolder: null);
        _server = server;
        _report.Environment(
            server.Description,
            "clients (in this process): HttpClient over SocketsHttpHandler (HTTP/1.1 keep-alive), one HttpClient and connection per client");

        var kinds = Kinds.Where(settings.Parts.Contains).ToList();
        foreach (var kind in kinds)
        {
            await SequentialAsync(kind, "sequential");
        }

        foreach (var kind in settings.Clients > 0 ? kinds : [])
        {
            await ConcurrentAsync(kind);
        }

        foreach (var kind in settings.Parts.Contains("retained") ? kinds.Where(k => k != "get") : [])
        {
            await SequentialAsync(kind, "sequential again");
        }

        WriteResults();
        _report.Print();
        return 0;
    }

    /// <param name="kind">get, async or sync.</param>
    private async Task SequentialAsync(string kind, string label)
    {
        Report.Progress($"{label}: {Describe(kind)}, {settings.WarmupCount} warm-up + {settings.Sequential} measured");
        using var http = NewClient();
        var retained = await RetainedAsync(http);
        for (var i = 0; i < settings.WarmupCount; i++)
        {
            await RoundTripAsync(http, kind, CancellationToken.None);
        }

        var trips = new List<Trip>(settings.Sequential);
        var cpu = TakeCpu();
        var start = Stopwatch.GetTimestamp();
        var last = long.MinValue;
        for (var i = 0; i < settings.Sequential; i++)
        {
            var (trip, value) = await RoundTripAsync(http, kind, CancellationToken.None);
            last = kind == "get" || value > last ? value : throw new InvalidOperationException($"The counter went from {last} to {value}: an increment was lost.");
            trips.Add(trip);
        }

        var seconds = Clock.Seconds(Stopwatch.GetTimestamp() - start);
        _rows.Add(new Row($"{label}: {Describe(kind)}", trips, seconds, cpu.To(TakeCpu()), retained, 0, null));
    }

    private async Task ConcurrentAsync(string kind)
    {
        Report.Progress($"{settings.Clients} concurrent clients: {Describe(kind)}, {settings.Warmup} s warm-up + {settings.Seconds} s measured");
        var clients = Enumerable.Range(0, settings.Clients).Select(_ => NewClient()).ToList();
        var retained = await RetainedAsync(clients[0]);
        var windowStart = Clock.After(settings.Warmup);
        var windowEnd = windowStart + (long)(settings.Seconds * Stopwatch.Frequency);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(settings.Warmup + settings.Seconds + 60));
        var errors = 0;
        string? firstError = null;
        var workers = clients.Select(client => Task.Run(async () =>
        {
            var trips = new List<Trip>();
            while (Stopwatch.GetTimestamp() < windowEnd)
            {
                try
                {
                    var (trip, _) = await RoundTripAsync(client, kind, limit.Token);
                    trips.AddRange(trip.End >= windowStart && trip.End < windowEnd ? [trip] : []);
                }
                catch (Exception e) when (e is HttpRequestException or InvalidDataException or JsonException or TaskCanceledException && !limit.IsCancellationRequested)
                {
                    if (Interlocked.Increment(ref errors) == 1)
                    {
                        firstError = $"{e.GetType().Name}: {e.Message}";
                    }
                }
            }

            client.Dispose();
            return trips;
        })).ToList();

        await Clock.UntilAsync(windowStart);
        var cpu = TakeCpu();
        await Clock.UntilAsync(windowEnd);
        var window = cpu.To(TakeCpu());
        var all = (await Task.WhenAll(workers)).SelectMany(t => t).ToList();
        _rows.Add(new Row($"{settings.Clients} concurrent clients: {Describe(kind)}", all, Clock.Seconds(windowEnd - windowStart), window, retained, errors, firstError));
    }

    /// <summary>One round trip; returns its timing and the value it read (the count).</summary>
    private static async Task<(Trip Trip, long Value)> RoundTripAsync(HttpClient http, string kind, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var polls = 0;
        JsonElement result;
        if (kind == "async")
        {
            var invocation = await RequestAsync(http, HttpMethod.Post, "counter/increment_counter", HttpStatusCode.Created, cancellationToken);
            var href = invocation.GetProperty("href").GetString()!;

            // Poll at once, then again with no delay, until it has completed.
            while (invocation.GetProperty("status").GetString() is var status && status != "completed")
            {
                polls += status is "pending" or "running" ? 1 : throw new InvalidDataException($"Invocation {href} ended as {status}.");
                invocation = await RequestAsync(http, HttpMethod.Get, href, HttpStatusCode.OK, cancellationToken);
            }

            result = await RequestAsync(http, HttpMethod.Get, href + "/output", HttpStatusCode.OK, cancellationToken);
        }
        else
        {
            result = kind == "get"
                ? await RequestAsync(http, HttpMethod.Get, "counter/counter", HttpStatusCode.OK, cancellationToken)
                : await RequestAsync(http, HttpMethod.Post, "counter/increment_counter/sync", HttpStatusCode.OK, cancellationToken);
        }

        var end = Stopwatch.GetTimestamp();
        return (new Trip(end, end - start, polls), result.GetInt64());
    }

    /// <summary>One request (a POST sends <c>{}</c>); throws unless it answers <paramref name="expected"/>; returns its JSON.</summary>
    private static async Task<JsonElement> RequestAsync(HttpClient http, HttpMethod method, string uri, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(uri, UriKind.RelativeOrAbsolute));
        request.Content = method == HttpMethod.Post ? new ByteArrayContent("{}"u8.ToArray()) { Headers = { ContentType = new("application/json") } } : null;
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.StatusCode == expected
            ? JsonSerializer.Deserialize<JsonElement>(body)
            : throw new InvalidDataException($"{method} {uri}: expected {(int)expected}, got {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
    }

    /// <summary>How many invocations the server holds (GET /action_invocations).</summary>
    private static async Task<int> RetainedAsync(HttpClient http)
        => (await RequestAsync(http, HttpMethod.Get, "action_invocations", HttpStatusCode.OK, CancellationToken.None)).GetArrayLength();

    private CpuSnapshot TakeCpu() => CpuSnapshot.Take(_server.CpuSeconds, () => Environment.CpuUsage.TotalTime.TotalSeconds);

    private HttpClient NewClient() => new(new SocketsHttpHandler { UseCookies = false, UseProxy = false })
    {
        BaseAddress = _server.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static string Describe(string kind) => kind switch
    {
        "get" => "GET /counter/counter",
        "sync" => "POST /counter/increment_counter/sync",
        _ => "POST /counter/increment_counter, poll, GET output",
    };

    private void WriteResults()
    {
        _report.Paragraph("## Action round trips (HttpClient)");
        _report.Paragraph($"Sequential: one client, {settings.WarmupCount} unmeasured round trips, then {settings.Sequential} measured. Concurrent: {settings.Clients} clients, each doing round trips back to back; {settings.Warmup} s warm-up, then the round trips that ended in a {settings.Seconds} s window. A round trip of the async form = POST (201, the invocation) → GET the invocation's href at once and again with no delay until its status is completed (\"polls\") → GET href/output. The sync form is one POST …/sync that answers 200 with the output. \"GET /counter/counter\" is one plain property read: the HTTP floor of this client and server. Server CPU per round trip = server process CPU time over the measured part / round trips.");
        _report.TableHeader("run", "round trips", "round trips/s", "mean ms", "p50 ms", "p99 ms", "max ms", "polls per round trip (mean, max)", "server CPU ms per round trip", "server % core", "client % core", "machine busy %", "invocations held at start", "errors");
        foreach (var row in _rows)
        {
            var (ms, n, cpu) = (row.Trips.Select(t => Clock.Milliseconds(t.Ticks)).ToList(), row.Trips.Count, row.Cpu);
            var polls = row.Name.Contains("poll", StringComparison.Ordinal) && n > 0 ? $"{row.Trips.Average(t => t.Polls):F2}, {row.Trips.Max(t => t.Polls)}" : "–";
            var timed = row.Seconds >= MinCpuSeconds; // process CPU times move in 10 ms ticks: too coarse for a fraction of a second
            var perTrip = timed ? (cpu.Server * cpu.Seconds * 1000 / n).ToString("F3", Report.Inv) : "–";
            _report.Line($"| {row.Name} | {n:N0} | {n / row.Seconds:N0} | {Stats.Mean(ms):F3} | {Stats.Quantile(ms, 0.5):F3} | {Stats.Quantile(ms, 0.99):F3} | {Stats.Max(ms):F2} | {polls} | {perTrip} | {Report.Percent(timed ? cpu.Server : null)} | {Report.Percent(timed ? cpu.Generator : null)} | {Report.Percent(timed ? cpu.Machine.Machine : null)} | {row.Retained} | {row.Errors}{(row.FirstError is null ? "" : $" ({row.FirstError})")} |");
        }

        _report.Line();
        _report.Paragraph($"CPU in % of one core ({Environment.ProcessorCount * 100} % = the whole machine); \"–\" where the measured part lasted under {MinCpuSeconds} s, too short for the 10 ms resolution of process CPU times. Machine busy = all CPUs' busy time (/proc/stat), so machine busy − server − client ≈ other jobs plus kernel network work outside the two processes. The example camera renders a JPEG at 10 fps in the server all along (a few % of a core), which is included in the server's CPU.");
        if (_rows.FirstOrDefault(r => r.Name.StartsWith("sequential:", StringComparison.Ordinal) && r.Name.Contains("poll", StringComparison.Ordinal)) is { } sequential)
        {
            var mean = Stats.Mean(sequential.Trips.Select(t => Clock.Milliseconds(t.Ticks)));
            _report.Paragraph("## Target");
            _report.TableHeader("target", "result", "met?");
            _report.Paragraph($"| invocation round trip (POST, poll, output), mean over {settings.Sequential} sequential, < {SequentialTargetMs} ms (a fifth of labthings-fastapi's 6.9 ms) | {mean:F3} ms | **{(mean < SequentialTargetMs ? "yes" : "no")}** |");
        }
    }

    /// <summary>One round trip: when it ended, how long it took (Stopwatch ticks), how many status polls it needed.</summary>
    private readonly record struct Trip(long End, long Ticks, int Polls);

    /// <summary>One run: its round trips, how long they took, the CPU meanwhile, the invocations the server held at its start, the errors.</summary>
    private sealed record Row(string Name, List<Trip> Trips, double Seconds, CpuWindow Cpu, int Retained, int Errors, string? FirstError);
}
