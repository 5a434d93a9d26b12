using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LabThings.Benchmarks;

/// <summary>
/// What a load generator is to do: connect the clients it creates, warm up, measure one window, read on for the grace
/// period, stop. Travels as JSON to the generator's child process.
/// </summary>
/// <typeparam name="TResult">What one client reports.</typeparam>
internal abstract record LoadPlan<TResult>(int Port, double WarmupSeconds, double Seconds, double GraceSeconds)
{
    /// <summary>How long a run may take before it is abandoned.</summary>
    public TimeSpan Limit => TimeSpan.FromSeconds(WarmupSeconds + Seconds + GraceSeconds + 60);

    public abstract IReadOnlyList<LoadClient<TResult>> CreateClients(LoadWindow window);
}

/// <summary>What a load generator reports. Timestamps are Stopwatch ticks (CLOCK_MONOTONIC: comparable across processes).</summary>
/// <param name="Clients">Each client's result, in creation order.</param>
/// <param name="Connected">Clients that were ready (connected, and saw a first frame or notification) before the window was set.</param>
/// <param name="GeneratorCpuSeconds">CPU time of the generator's process over the window; NaN when it shares the server's process.</param>
internal sealed record LoadReport<TResult>(
    List<TResult> Clients, int Connected, List<string> Errors, long WindowStart, long WindowEnd, double GeneratorCpuSeconds, int? GeneratorOpenFileLimit);

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
internal abstract class LoadClient<TResult> : IDisposable
{
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
            await Ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (Exception e) when (IsFailure(e))
        {
            Error ??= e;
        }

        return reading;
    }

    public abstract TResult Result();

    public abstract void Dispose();

    protected abstract Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Reads until cancelled (the socket is closed under it then) or until the server closes.</summary>
    protected abstract Task ReadUntilClosedAsync(CancellationToken cancellationToken);

    private static bool IsFailure(Exception e) => e is IOException or SocketException or InvalidDataException or TimeoutException;

    private async Task ReadAsync(CancellationToken stop)
    {
        try
        {
            await ReadUntilClosedAsync(stop);
            throw new IOException("The server closed the connection.");
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
/// One measured window of a load run, seen from the server's process: samples before the clients connect, at the
/// window's start and at its end, and the load generator's report.
/// </summary>
internal sealed record ServerWindow<TResult>(Sample Before, Sample Start, Sample End, LoadReport<TResult> Clients)
{
    /// <summary>The clients' measured window.</summary>
    public double Seconds => Clock.Seconds(Clients.WindowEnd - Clients.WindowStart);

    /// <summary>Between the server's two samples (within a few ms of the window).</summary>
    public double SampledSeconds => Clock.Seconds(End.Timestamp - Start.Timestamp);

    /// <summary>The server process's CPU, in cores.</summary>
    public double ServerCpu => (End.ProcessCpuSeconds - Start.ProcessCpuSeconds) / SampledSeconds;

    /// <summary>The generator process's CPU, in cores; NaN when it ran in the server's process.</summary>
    public double GeneratorCpu => Clients.GeneratorCpuSeconds / Seconds;

    public CpuShares Machine => CpuShares.Between(Start.Machine, End.Machine, SampledSeconds);

    /// <summary>Working set and GC heap, MB: before the clients connect → window start → window end.</summary>
    public string Memory => $"{Before.WorkingSet / Report.MB:F0} → {Start.WorkingSet / Report.MB:F0} → {End.WorkingSet / Report.MB:F0} | {Before.GcHeap / Report.MB:F0} → {Start.GcHeap / Report.MB:F0} → {End.GcHeap / Report.MB:F0}";
}

/// <summary>
/// Runs a <see cref="LoadPlan{TResult}"/>, here or in a <see cref="ChildProcess"/>, which reads the plan on stdin and
/// tells the window on stdout as <c>WINDOW start end</c> as soon as every client is ready, then <c>RESULT {json}</c>.
/// </summary>
internal static class LoadGenerator
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Runs <paramref name="plan"/> and samples this (the server's) process around its window.</summary>
    /// <param name="childArgs">The generator's child-process command line, or null to run it in this process.</param>
    /// <param name="atStart">Called right after the window-start sample, or null.</param>
    /// <param name="atEnd">Called right after the window-end sample, or null.</param>
    public static async Task<ServerWindow<TResult>> RunAsync<TResult>(LoadPlan<TResult> plan, string[]? childArgs, Action? atStart = null, Action? atEnd = null)
    {
        var before = Sample.Take();
        var window = new TaskCompletionSource<(long Start, long End)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = GenerateAsync(plan, childArgs, (s, e) => window.TrySetResult((s, e)));
        if (await Task.WhenAny(window.Task, run) == run)
        {
            await run;
            throw new InvalidOperationException("The load generator finished without opening a window.");
        }

        var (start, end) = await window.Task;
        await Clock.UntilAsync(start);
        var atStartSample = Sample.Take();
        atStart?.Invoke();
        await Clock.UntilAsync(end);
        var atEndSample = Sample.Take();
        atEnd?.Invoke();
        return new ServerWindow<TResult>(before, atStartSample, atEndSample, await run);
    }

    /// <summary>The child's side: one plan on stdin, the WINDOW and RESULT lines on stdout.</summary>
    public static async Task<int> ChildMainAsync<TPlan, TResult>()
        where TPlan : LoadPlan<TResult>
    {
        var plan = JsonSerializer.Deserialize<TPlan>(await Console.In.ReadLineAsync() ?? "", Json) ?? throw new InvalidDataException("No plan on stdin.");
        using var timeout = new CancellationTokenSource(plan.Limit);
        var output = Console.Out; // AutoFlush: each line goes out at once
        var report = await RunHereAsync(plan, ownProcess: true, (start, end) => output.WriteLine($"WINDOW {start} {end}"), timeout.Token);
        await output.WriteLineAsync("RESULT " + JsonSerializer.Serialize(report, Json));
        return 0;
    }

    private static async Task<LoadReport<TResult>> GenerateAsync<TResult>(LoadPlan<TResult> plan, string[]? childArgs, Action<long, long> onWindow)
    {
        using var timeout = new CancellationTokenSource(plan.Limit);
        if (childArgs is null)
        {
            return await RunHereAsync(plan, ownProcess: false, onWindow, timeout.Token);
        }

        // The lighter workstation GC: a load generator is not the system under test.
        await using var child = ChildProcess.Start(childArgs, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        await child.WriteLineAsync(JsonSerializer.Serialize(plan, plan.GetType(), Json));
        var result = await child.ReadUntilAsync(
            "RESULT ",
            line =>
            {
                var window = line.Split(' '); // WINDOW start end
                onWindow(long.Parse(window[1], Report.Inv), long.Parse(window[2], Report.Inv));
            },
            timeout.Token);
        return JsonSerializer.Deserialize<LoadReport<TResult>>(result, Json)!;
    }

    private static async Task<LoadReport<TResult>> RunHereAsync<TResult>(LoadPlan<TResult> plan, bool ownProcess, Action<long, long> onWindow, CancellationToken cancellationToken)
    {
        var window = new LoadWindow();
        var clients = plan.CreateClients(window);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var reads = new Task[clients.Count];
            var connecting = new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, clients.Count), connecting, async (i, _) => reads[i] = await clients[i].StartAsync(stop.Token, cancellationToken));
            var connected = clients.Count(c => c.IsReady);
            var start = Clock.After(plan.WarmupSeconds);
            var end = start + (long)(plan.Seconds * Stopwatch.Frequency);
            window.Set(start, end);
            onWindow(start, end);
            await Clock.UntilAsync(start, cancellationToken);
            var cpuAtStart = Environment.CpuUsage.TotalTime.TotalSeconds;
            await Clock.UntilAsync(end, cancellationToken);
            var cpu = Environment.CpuUsage.TotalTime.TotalSeconds - cpuAtStart;
            await Clock.UntilAsync(end + (long)(plan.GraceSeconds * Stopwatch.Frequency), cancellationToken);
            await stop.CancelAsync();
            clients.ToList().ForEach(c => c.Dispose());
            await Task.WhenAll(reads);
            var errors = clients.Select((c, i) => c.Error is { } e ? $"client {i}: {e.GetType().Name}: {e.Message}" : null).OfType<string>();
            return new([.. clients.Select(c => c.Result())], connected, [.. errors], start, end, ownProcess ? cpu : double.NaN, Proc.OpenFileLimit());
        }
        finally
        {
            clients.ToList().ForEach(c => c.Dispose());
        }
    }
}
