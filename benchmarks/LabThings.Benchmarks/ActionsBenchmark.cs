using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LabThings.Benchmarks;

/// <summary>The options of the <c>actions</c> command.</summary>
internal sealed record ActionsSettings(int Sequential, int WarmupCount, int Clients, double Seconds, double Warmup, bool InProcessServer, IReadOnlySet<string> Parts);

/// <summary>
/// Action invocation round trips against the example server with HttpClient: POST /counter/increment_counter,
/// poll the invocation until it has completed, GET its output; and POST /counter/increment_counter/sync.
/// Sequential and with concurrent clients. Prints Markdown.
/// </summary>
internal sealed class ActionsBenchmark(ActionsSettings settings)
{
    private const double SequentialTargetMs = 1.38;
    private const double MinCpuSeconds = 2;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

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
        var server = Cli.Choice("--server", "process", "inproc", "the example server in a child process, or in this process");
        var only = Cli.Parts(["get", "async", "sync", "retained"], "run only these parts (get: sequential GET /counter/counter, the HTTP floor; async: POST, poll, output; sync: POST …/sync; retained: the sequential runs again after the concurrent ones)");
        var command = new Command("actions", "Action invocation round trips over HTTP against the example server: POST, poll and output, or POST …/sync; sequential and concurrent")
        {
            sequential, warmupCount, clients, seconds, warmup, server, only,
        };
        command.SetAction(r => new ActionsBenchmark(new ActionsSettings(
            r.GetValue(sequential), r.GetValue(warmupCount), r.GetValue(clients), r.GetValue(seconds), r.GetValue(warmup), r.GetValue(server) == "inproc",
            Cli.Names(r.GetValue(only)))).RunAsync());
        return command;
    }

    private enum Kind
    {
        Get,
        Async,
        Sync,
    }

    /// <summary>One round trip: when it ended, how long it took (Stopwatch ticks), how many status polls it needed.</summary>
    private readonly record struct Trip(long End, long Ticks, int Polls);

    private sealed record Row(string Name, int Clients, List<Trip> Trips, double Seconds, double ServerCpuSeconds, double ClientCpuSeconds, double MachineBusy, int Retained, int Errors, string? FirstError);

    public async Task<int> RunAsync()
    {
        var started = Stopwatch.StartNew();
        var load = Proc.LoadAverage();
        Report.Progress(settings.InProcessServer ? "starting the example server in this process" : "starting the example server in a child process");
        await using var server = await ExampleServerHost.StartAsync(settings.InProcessServer, settingsFolder: null);
        _server = server;
        _report.Environment(
            (server.InProcess ? "examples/ExampleServer's ExampleApp.CreateApp in this process (the clients share it)" : "examples/ExampleServer's ExampleApp.CreateApp in a child process (this program's example-server command); the clients run in this process")
            + $", {server.BaseAddress}, warning-level logging",
            load,
            "clients: HttpClient over SocketsHttpHandler (HTTP/1.1 keep-alive), one HttpClient and connection per client");

        var kinds = new[] { ("get", Kind.Get), ("async", Kind.Async), ("sync", Kind.Sync) }.Where(k => settings.Parts.Contains(k.Item1)).Select(k => k.Item2).ToList();
        foreach (var kind in kinds)
        {
            await SequentialAsync(kind, "sequential");
        }

        foreach (var kind in settings.Clients > 0 ? kinds : [])
        {
            await ConcurrentAsync(kind);
        }

        if (settings.Parts.Contains("retained"))
        {
            foreach (var kind in kinds.Where(k => k != Kind.Get))
            {
                await SequentialAsync(kind, "sequential again");
            }
        }

        WriteResults();
        _report.Line($"Total run time {started.Elapsed.TotalSeconds:F0} s.");
        _report.Print();
        return 0;
    }

    private async Task SequentialAsync(Kind kind, string label)
    {
        Report.Progress($"{label}: {Describe(kind)}, {settings.WarmupCount} warm-up + {settings.Sequential} measured");
        using var http = NewClient();
        var retained = await RetainedAsync(http);
        for (var i = 0; i < settings.WarmupCount; i++)
        {
            await RoundTripAsync(http, kind, CancellationToken.None);
        }

        var trips = new List<Trip>(settings.Sequential);
        var serverCpu = _server.CpuSeconds();
        var clientCpu = OwnCpuSeconds();
        var machine = MachineCpu.Read();
        var start = Stopwatch.GetTimestamp();
        var last = long.MinValue;
        for (var i = 0; i < settings.Sequential; i++)
        {
            var (trip, value) = await RoundTripAsync(http, kind, CancellationToken.None);
            if (kind != Kind.Get && value <= last)
            {
                throw new InvalidOperationException($"The counter went from {last} to {value}: an increment was lost.");
            }

            last = value;
            trips.Add(trip);
        }

        var seconds = Clock.Seconds(Stopwatch.GetTimestamp() - start);
        _rows.Add(new Row($"{label}: {Describe(kind)}", 1, trips, seconds, _server.CpuSeconds() - serverCpu, OwnCpuSeconds() - clientCpu, CpuShares.Between(machine, MachineCpu.Read(), seconds).Machine, retained, 0, null));
    }

    private async Task ConcurrentAsync(Kind kind)
    {
        Report.Progress($"{settings.Clients} concurrent clients: {Describe(kind)}, {settings.Warmup} s warm-up + {settings.Seconds} s measured");
        var clients = Enumerable.Range(0, settings.Clients).Select(_ => NewClient()).ToList();
        try
        {
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
                        if (trip.End >= windowStart && trip.End < windowEnd)
                        {
                            trips.Add(trip);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or InvalidDataException or JsonException or TaskCanceledException && !limit.IsCancellationRequested)
                    {
                        if (Interlocked.Increment(ref errors) == 1)
                        {
                            firstError = $"{e.GetType().Name}: {e.Message}";
                        }
                    }
                }

                return trips;
            })).ToList();

            await Clock.UntilAsync(windowStart);
            var serverCpu = _server.CpuSeconds();
            var clientCpu = OwnCpuSeconds();
            var machine = MachineCpu.Read();
            await Clock.UntilAsync(windowEnd);
            var serverCpuEnd = _server.CpuSeconds();
            var clientCpuEnd = OwnCpuSeconds();
            var machineEnd = MachineCpu.Read();
            var all = (await Task.WhenAll(workers)).SelectMany(t => t).ToList();
            _rows.Add(new Row($"{settings.Clients} concurrent clients: {Describe(kind)}", settings.Clients, all, Clock.Seconds(windowEnd - windowStart), serverCpuEnd - serverCpu, clientCpuEnd - clientCpu, CpuShares.Between(machine, machineEnd, settings.Seconds).Machine, retained, errors, firstError));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>One round trip; returns its timing and the value it read (the count).</summary>
    private static async Task<(Trip Trip, long Value)> RoundTripAsync(HttpClient http, Kind kind, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var polls = 0;
        long value;
        switch (kind)
        {
            case Kind.Get:
                value = await ReadNumberAsync(http, new Uri("counter/counter", UriKind.Relative), cancellationToken);
                break;
            case Kind.Sync:
                {
                    using var post = await http.PostAsync(new Uri("counter/increment_counter/sync", UriKind.Relative), EmptyObject(), cancellationToken);
                    value = await NumberAsync(post, HttpStatusCode.OK, cancellationToken);
                    break;
                }

            default:
                {
                    string href;
                    string status;
                    using (var post = await http.PostAsync(new Uri("counter/increment_counter", UriKind.Relative), EmptyObject(), cancellationToken))
                    {
                        (href, status) = await InvocationAsync(post, HttpStatusCode.Created, cancellationToken);
                    }

                    // Poll at once, then again with no delay, until it has completed.
                    var invocation = new Uri(href);
                    while (status != "completed")
                    {
                        if (status is not ("pending" or "running"))
                        {
                            throw new InvalidDataException($"Invocation {href} ended as {status}.");
                        }

                        polls++;
                        using var get = await http.GetAsync(invocation, cancellationToken);
                        (_, status) = await InvocationAsync(get, HttpStatusCode.OK, cancellationToken);
                    }

                    value = await ReadNumberAsync(http, new Uri(href + "/output"), cancellationToken);
                    break;
                }
        }

        var end = Stopwatch.GetTimestamp();
        return (new Trip(end, end - start, polls), value);
    }

    private static async Task<long> ReadNumberAsync(HttpClient http, Uri uri, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uri, cancellationToken);
        return await NumberAsync(response, HttpStatusCode.OK, cancellationToken);
    }

    private static async Task<long> NumberAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var body = await BodyAsync(response, expected, cancellationToken);
        return JsonSerializer.Deserialize<long>(body);
    }

    private static async Task<(string Href, string Status)> InvocationAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var body = await BodyAsync(response, expected, cancellationToken);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return (root.GetProperty("href").GetString() ?? "", root.GetProperty("status").GetString() ?? "");
    }

    private static async Task<byte[]> BodyAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidDataException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        return body;
    }

    private static ByteArrayContent EmptyObject()
    {
        var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.ContentType = Json;
        return content;
    }

    /// <summary>How many invocations the server holds (GET /action_invocations); -1 if not asked.</summary>
    private static async Task<int> RetainedAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("action_invocations", UriKind.Relative));
        using var document = JsonDocument.Parse(await BodyAsync(response, HttpStatusCode.OK, CancellationToken.None));
        return document.RootElement.GetArrayLength();
    }

    private HttpClient NewClient() => new(new SocketsHttpHandler { UseCookies = false, UseProxy = false })
    {
        BaseAddress = _server.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static double OwnCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Get => "GET /counter/counter",
        Kind.Sync => "POST /counter/increment_counter/sync",
        _ => "POST /counter/increment_counter, poll, GET output",
    };

    private void WriteResults()
    {
        _report.Paragraph("## Action round trips (HttpClient)");
        _report.Paragraph($"Sequential: one client, {settings.WarmupCount} unmeasured round trips, then {settings.Sequential} measured. Concurrent: {settings.Clients} clients, each doing round trips back to back; {settings.Warmup} s warm-up, then the round trips that ended in a {settings.Seconds} s window. A round trip of the async form = POST (201, the invocation) → GET the invocation's href at once and again with no delay until its status is completed (\"polls\") → GET href/output. The sync form is one POST …/sync that answers 200 with the output. \"GET /counter/counter\" is one plain property read: the HTTP floor of this client and server. Server CPU per round trip = server process CPU time over the measured part / round trips.");
        _report.TableHeader("run", "round trips", "round trips/s", "mean ms", "p50 ms", "p99 ms", "max ms", "polls per round trip (mean, max)", "server CPU ms per round trip", "server % core", "client % core", "machine busy %", "invocations held at start", "errors");
        foreach (var row in _rows)
        {
            var ms = row.Trips.Select(t => Clock.Milliseconds(t.Ticks)).ToList();
            var n = row.Trips.Count;
            var polls = row.Name.Contains("poll", StringComparison.Ordinal) && n > 0 ? $"{row.Trips.Average(t => t.Polls):F2}, {row.Trips.Max(t => t.Polls)}" : "–";
            // Process CPU times move in 10 ms ticks: too coarse for a span of a fraction of a second.
            var timed = row.Seconds >= MinCpuSeconds;
            var client = _server.InProcess ? "(same process)" : timed ? (row.ClientCpuSeconds / row.Seconds * 100).ToString("F0", Report.Inv) : "–";
            var perTrip = timed ? (row.ServerCpuSeconds * 1000 / n).ToString("F3", Report.Inv) : "–";
            var server = timed ? (row.ServerCpuSeconds / row.Seconds * 100).ToString("F0", Report.Inv) : "–";
            var busy = timed ? (row.MachineBusy * 100).ToString("F0", Report.Inv) : "–";
            _report.Line($"| {row.Name} | {n:N0} | {n / row.Seconds:N0} | {Mean(ms):F3} | {Stats.Quantile(ms, 0.5):F3} | {Stats.Quantile(ms, 0.99):F3} | {ms.DefaultIfEmpty(double.NaN).Max():F2} | {polls} | {perTrip} | {server} | {client} | {busy} | {row.Retained} | {row.Errors}{(row.FirstError is null ? "" : $" ({row.FirstError})")} |");
        }

        _report.Line();
        _report.Paragraph($"CPU in % of one core ({Environment.ProcessorCount * 100} % = the whole machine); \"–\" where the measured part lasted under {MinCpuSeconds} s, too short for the 10 ms resolution of process CPU times. Machine busy = all CPUs' busy time (/proc/stat), so machine busy − server − client ≈ other jobs plus kernel network work outside the two processes. The example camera renders a JPEG at 10 fps in the server all along (a few % of a core), which is included in the server's CPU.");
        var sequential = _rows.FirstOrDefault(r => r.Name.StartsWith("sequential:", StringComparison.Ordinal) && r.Name.Contains("poll", StringComparison.Ordinal));
        if (sequential is not null)
        {
            var mean = Mean([.. sequential.Trips.Select(t => Clock.Milliseconds(t.Ticks))]);
            _report.Paragraph("## Target");
            _report.TableHeader("target", "result", "met?");
            _report.Paragraph($"| invocation round trip (POST, poll, output), mean over {settings.Sequential} sequential, < {SequentialTargetMs} ms (a fifth of labthings-fastapi's 6.9 ms) | {mean:F3} ms | **{(mean < SequentialTargetMs ? "yes" : "no")}** |");
        }
    }

    private static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();
}
