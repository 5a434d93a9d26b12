using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace LabThings.Benchmarks;

/// <summary>What one wrk run reported (latencies in microseconds, from wrk's own histogram) and the CPU it cost.</summary>
internal sealed record WrkResult(
    double Seconds,
    long Requests,
    long Bytes,
    long SocketErrors,
    long StatusErrors,
    long Timeouts,
    double MeanMicros,
    double P50Micros,
    double P99Micros,
    double MaxMicros,
    CpuWindow? Cpu,
    string Output)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>CPU over the middle of a run (its first and last second left out), each in cores (1.0 = one core busy).</summary>
internal sealed record CpuWindow(double Seconds, double Server, double Generator, CpuShares Machine)
{
    /// <summary>
    /// Busy time of the machine that is neither the server's nor the generator's: other jobs, and kernel network
    /// work done outside both processes. Softirq is not subtracted: this kernel has no IRQ time accounting, so a
    /// softirq that interrupts a process is charged to that process as well as to the softirq total.
    /// </summary>
    public double Other => Machine.Machine - Server - Generator;
}

/// <summary>
/// Runs <c>wrk</c> (HTTP/1.1 keep-alive, closed loop: each connection sends its next request when the last
/// response arrives) with a Lua script whose <c>done</c> hook prints the exact totals and percentiles.
/// </summary>
internal static class Wrk
{
    private const string ResultPrefix = "LTRESULT";

    /// <summary>Prints the totals; latencies are microseconds.</summary>
    private const string DoneHook = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("LTRESULT %.0f %.0f %.0f %.0f %.0f %.0f %.1f %.1f %.1f %.1f\n",
            summary.duration, summary.requests, summary.bytes,
            e.connect + e.read + e.write, e.status, e.timeout,
            latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
        end
        """;

    /// <summary>GET (wrk's static request) plus the done hook.</summary>
    public const string GetScript = DoneHook;

    /// <summary>
    /// PUT with a JSON number body. Arguments: lowest value, how many values, wrk threads. Thread k of t sends
    /// lo + ((t·n + k) mod count), n = 0, 1, 2, …: one thread's consecutive values differ, and two threads
    /// never send the same value (count is a multiple of t), so each write changes the property.
    /// </summary>
    public const string PutScript = """
        local next_id = 0
        function setup(thread)
          thread:set("id", next_id)
          next_id = next_id + 1
        end

        function init(args)
          local lo, count, threads = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
          requests_ = {}
          for n = 0, count / threads - 1 do
            local value = lo + ((threads * n + id) % count)
            requests_[#requests_ + 1] = wrk.format("PUT", nil, { ["Content-Type"] = "application/json" }, tostring(value))
          end
          i_ = 0
        end

        function request()
          i_ = i_ % #requests_ + 1
          return requests_[i_]
        end

        """ + DoneHook;

    /// <summary>Throws if wrk cannot be started.</summary>
    public static string Version()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("wrk", "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return text.Split('\n')[0].Trim();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("wrk is not installed (Debian: apt-get install -y wrk).", e);
        }
    }

    /// <param name="cpu">Server CPU seconds so far, or null not to sample CPU.</param>
    public static async Task<WrkResult> RunAsync(Uri url, int threads, int connections, int seconds, string scriptPath, IReadOnlyList<string> scriptArgs, Func<double>? cpu)
    {
        var info = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--timeout", "10s", "--latency", "-s", scriptPath, url.AbsoluteUri })
        {
            info.ArgumentList.Add(arg);
        }

        if (scriptArgs.Count > 0)
        {
            info.ArgumentList.Add("--");
            foreach (var arg in scriptArgs)
            {
                info.ArgumentList.Add(arg);
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start wrk.");
        var started = Stopwatch.GetTimestamp();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        CpuWindow? window = null;
        try
        {
            if (cpu is not null && seconds >= 4)
            {
                await Clock.UntilAsync(started + Stopwatch.Frequency);
                var a = Take(process, cpu);
                await Clock.UntilAsync(started + ((seconds - 1) * Stopwatch.Frequency));
                var b = Take(process, cpu);
                var span = Clock.Seconds(b.Timestamp - a.Timestamp);
                window = new CpuWindow(span, (b.Server - a.Server) / span, (b.Wrk - a.Wrk) / span, CpuShares.Between(a.Machine, b.Machine, span));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        var output = await stdout + await stderr;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result (exit code {process.ExitCode}):\n{output}");
        var v = line[ResultPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new WrkResult(
            Seconds: v[0] / 1e6,
            Requests: (long)v[1],
            Bytes: (long)v[2],
            SocketErrors: (long)v[3],
            StatusErrors: (long)v[4],
            Timeouts: (long)v[5],
            MeanMicros: v[6],
            P50Micros: v[7],
            P99Micros: v[8],
            MaxMicros: v[9],
            Cpu: window,
            Output: string.Join('\n', output.Split('\n').Where(l => !l.StartsWith(ResultPrefix, StringComparison.Ordinal))).TrimEnd());
    }

    private static (long Timestamp, double Server, double Wrk, MachineCpu Machine) Take(Process wrk, Func<double> server)
    {
        wrk.Refresh();
        return (Stopwatch.GetTimestamp(), server(), wrk.TotalProcessorTime.TotalSeconds, MachineCpu.Read());
    }
}
