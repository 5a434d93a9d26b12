namespace LabThings.Benchmarks;

/// <summary>
/// One measured window of a load run, seen from the server's process: samples before the clients connect, at the
/// window's start and at its end, and the clients' own report.
/// </summary>
internal sealed record ServerWindow<TReport>(Sample Before, Sample Start, Sample End, TReport Clients)
    where TReport : LoadReport, new()
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

    /// <summary>Runs <paramref name="plan"/> and samples this process around its window.</summary>
    /// <param name="childArgs">The generator's child-process command line, or null to run it in this process.</param>
    /// <param name="atStart">Called right after the window-start sample (on the caller's context), or null.</param>
    /// <param name="atEnd">Called right after the window-end sample, or null.</param>
    public static async Task<ServerWindow<TReport>> RunAsync(LoadPlan<TReport> plan, string[]? childArgs, Action? atStart = null, Action? atEnd = null)
    {
        var before = Sample.Take();
        var window = new TaskCompletionSource<(long Start, long End)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = LoadGenerator.RunAsync(plan, childArgs, (s, e) => window.TrySetResult((s, e)));
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
        return new ServerWindow<TReport>(before, atStartSample, atEndSample, await run);
    }
}
