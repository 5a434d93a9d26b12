using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LabThings.Benchmarks;

/// <summary>
/// What a load generator is to do (connect its clients, warm up, measure one window, read on for the grace period,
/// stop) and how: <see cref="CreateClients"/> and <see cref="Summarize"/>. Travels as JSON to a child process.
/// </summary>
internal abstract class LoadPlan<TReport>
    where TReport : LoadReport, new()
{
    public int Port { get; set; }

    public double WarmupSeconds { get; set; }

    public double Seconds { get; set; }

    public double GraceSeconds { get; set; }

    /// <summary>How long a run may take before it is abandoned.</summary>
    public TimeSpan Limit => TimeSpan.FromSeconds(WarmupSeconds + Seconds + GraceSeconds + 60);

    public abstract IReadOnlyList<LoadClient> CreateClients(LoadWindow window);

    /// <summary>Fills the report's own fields from the clients (the common ones are filled already).</summary>
    public abstract void Summarize(IReadOnlyList<LoadClient> clients, TReport report);
}

/// <summary>What every load generator reports. Timestamps are Stopwatch ticks (CLOCK_MONOTONIC: comparable across processes).</summary>
internal class LoadReport
{
    /// <summary>Clients that were ready (connected, and saw a first frame or notification) before the window was set.</summary>
    public int Connected { get; set; }

    public int ErrorCount { get; set; }

    public List<string> Errors { get; set; } = [];

    public long WindowStart { get; set; }

    public long WindowEnd { get; set; }

    /// <summary>CPU time of the generator's process over the window; NaN when it shares the server's process.</summary>
    public double GeneratorCpuSeconds { get; set; } = double.NaN;

    public int? GeneratorOpenFileLimit { get; set; }
}

/// <summary>The measurement window, shared by all clients of one run.</summary>
internal sealed class LoadWindow
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

/// <summary>One simulated client: connects, becomes ready, then reads until the run stops it.</summary>
internal abstract class LoadClient : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public Exception? Error { get; private set; }

    /// <summary>Connected and measuring (the response headers, or a first notification, have arrived).</summary>
    public bool IsReady => Ready.Task.IsCompletedSuccessfully;

    /// <summary>Where the client reports readiness.</summary>
    protected TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connects and starts reading; returns the reading, once the client is ready or has failed.</summary>
    public async Task<Task> StartAsync(CancellationToken stop, CancellationToken cancellationToken)
    {
        var reading = Task.CompletedTask;
        try
        {
            await ConnectAsync(cancellationToken);
            reading = ReadAsync(stop);
            await Ready.Task.WaitAsync(ReadyTimeout, cancellationToken);
        }
        catch (Exception e) when (IsFailure(e))
        {
            Error ??= e;
        }

        return reading;
    }

    public abstract void Dispose();

    protected abstract Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Reads until cancelled (the socket is closed under it then) or until the server closes.</summary>
    protected abstract Task ReadUntilClosedAsync(CancellationToken cancellationToken);

    private static bool IsFailure(Exception e) => e is IOException or SocketException or InvalidDataException or TimeoutException or System.Net.WebSockets.WebSocketException;

    private async Task ReadAsync(CancellationToken stop)
    {
        try
        {
            await ReadUntilClosedAsync(stop);
            if (!stop.IsCancellationRequested)
            {
                throw new IOException("The server closed the connection.");
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // The run is over: the socket was closed under the pending receive.
        }
        catch (Exception e) when (IsFailure(e))
        {
            Error = e;
            Ready.TrySetException(e);
        }
    }
}

/// <summary>
/// Runs a <see cref="LoadPlan{TReport}"/>, here or in a child process (this program with an internal command), which
/// tells the window on stdout as <c>WINDOW start end</c> as soon as every client is ready, then <c>RESULT {json}</c>.
/// </summary>
internal static class LoadGenerator
{
    private const int ConnectConcurrency = 32;
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="childArgs">The child's command line (an internal command of this program), or null to run here.</param>
    /// <param name="onWindow">Told the window (start, end) as soon as every client is ready; must not block.</param>
    public static async Task<TReport> RunAsync<TReport>(LoadPlan<TReport> plan, string[]? childArgs, Action<long, long> onWindow)
        where TReport : LoadReport, new()
    {
        using var timeout = new CancellationTokenSource(plan.Limit);
        if (childArgs is null)
        {
            return await RunHereAsync(plan, ownProcess: false, onWindow, timeout.Token);
        }

        var info = ThisProgram.StartInfo(childArgs);
        info.Environment["DOTNET_gcServer"] = "0"; // the clients are not the system under test: the lighter workstation GC
        using var child = Process.Start(info) ?? throw new InvalidOperationException("Could not start the load generator.");
        try
        {
            await child.StandardInput.WriteLineAsync(JsonSerializer.Serialize(plan, plan.GetType(), Json));
            await child.StandardInput.FlushAsync();
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var parts = line.Split(' ', 3);
                if (parts[0] == "WINDOW")
                {
                    onWindow(long.Parse(parts[1], Report.Inv), long.Parse(parts[2], Report.Inv));
                }
                else if (parts[0] == "RESULT")
                {
                    await child.WaitForExitAsync(timeout.Token);
                    return JsonSerializer.Deserialize<TReport>(line["RESULT ".Length..], Json)!;
                }
            }

            throw new InvalidOperationException($"The load generator ended without a result (exit code {(child.HasExited ? child.ExitCode : -1)}).");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    /// <summary>The child's side: one plan on stdin, the WINDOW and RESULT lines on stdout.</summary>
    public static async Task<int> ChildMainAsync<TPlan, TReport>()
        where TPlan : LoadPlan<TReport>
        where TReport : LoadReport, new()
    {
        var plan = JsonSerializer.Deserialize<TPlan>(await Console.In.ReadLineAsync() ?? "", Json) ?? throw new InvalidDataException("No plan on stdin.");
        using var timeout = new CancellationTokenSource(plan.Limit);
        var output = Console.Out; // AutoFlush: each line goes out at once
        var report = await RunHereAsync(plan, ownProcess: true, (start, end) => output.WriteLine($"WINDOW {start} {end}"), timeout.Token);
        await output.WriteLineAsync("RESULT " + JsonSerializer.Serialize(report, Json));
        await output.FlushAsync();
        return 0;
    }

    private static async Task<TReport> RunHereAsync<TReport>(LoadPlan<TReport> plan, bool ownProcess, Action<long, long> onWindow, CancellationToken cancellationToken)
        where TReport : LoadReport, new()
    {
        var window = new LoadWindow();
        var clients = plan.CreateClients(window);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var reads = new Task[clients.Count];
            using (var gate = new SemaphoreSlim(ConnectConcurrency))
            {
                await Task.WhenAll(clients.Select(async (client, i) =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        reads[i] = await client.StartAsync(stop.Token, cancellationToken);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            var report = new TReport { Connected = clients.Count(c => c.IsReady), GeneratorOpenFileLimit = Proc.OpenFileLimit() };
            var start = Clock.After(plan.WarmupSeconds);
            var end = start + (long)(plan.Seconds * Stopwatch.Frequency);
            window.Set(start, end);
            onWindow(start, end);
            await Clock.UntilAsync(start, cancellationToken);
            var atStart = Sample.Take();
            await Clock.UntilAsync(end, cancellationToken);
            var atEnd = Sample.Take();
            await Clock.UntilAsync(end + (long)(plan.GraceSeconds * Stopwatch.Frequency), cancellationToken);
            await stop.CancelAsync();
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await Task.WhenAll(reads);
            var errors = clients.Select((c, i) => c.Error is { } e ? $"client {i}: {e.GetType().Name}: {e.Message}" : null).OfType<string>().ToList();
            (report.ErrorCount, report.Errors, report.WindowStart, report.WindowEnd) = (errors.Count, [.. errors.Take(5)], start, end);
            report.GeneratorCpuSeconds = ownProcess ? atEnd.ProcessCpuSeconds - atStart.ProcessCpuSeconds : double.NaN;
            plan.Summarize(clients, report);
            return report;
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

/// <summary>Starts this same program in a child process with another (internal) command.</summary>
internal static class ThisProgram
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's path.");
        var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(ThisProgram).Assembly.Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
