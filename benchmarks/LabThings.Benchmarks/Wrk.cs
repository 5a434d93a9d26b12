using System.ComponentModel;
using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>What one wrk run reported (latencies in microseconds, from wrk's own histogram) and the CPU it cost.</summary>
internal sealed record WrkResult(
    double Seconds, long Requests, long SocketErrors, long StatusErrors, long Timeouts, double MeanMicros, double P50Micros, double P99Micros, double MaxMicros, CpuWindow? Cpu, string Output)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>
/// Runs <c>wrk</c> (HTTP/1.1 keep-alive, closed loop: each connection sends its next request when the last response
/// arrives) with one of the Lua scripts in <c>wrk/</c>: <c>done.lua</c> (wrk's static GET) prints the exact totals and
/// percentiles when wrk ends, <c>put.lua</c> sends PUTs that always change the value and prints them too.
/// </summary>
internal static class Wrk
{
    private const string ResultPrefix = "LTRESULT ";

    /// <summary>wrk's version line; throws if wrk cannot be started.</summary>
    public static async Task<string> VersionAsync()
    {
        try
        {
            var (_, output) = await RunAsync(["--version"], seconds: 5, duringRun: null);
            return output.Split('\n')[0].Trim();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("wrk is not installed (Debian: apt-get install -y wrk).", e);
        }
    }

    /// <param name="script"><c>done.lua</c> or <c>put.lua</c>.</param>
    /// <param name="scriptArgs">The script's arguments.</param>
    /// <param name="cpu">Server CPU seconds so far, or null not to sample CPU.</param>
    public static async Task<WrkResult> RunAsync(Uri url, int threads, int connections, int seconds, string script, IReadOnlyList<string> scriptArgs, Func<double>? cpu)
    {
        string[] args = ["-t", $"{threads}", "-c", $"{connections}", "-d", $"{seconds}s", "--timeout", "10s", "--latency", "-s", script, url.AbsoluteUri];
        CpuWindow? window = null;
        var (exitCode, output) = await RunAsync(
            scriptArgs.Count > 0 ? [.. args, "--", .. scriptArgs] : args,
            seconds,
            async wrkCpu =>
            {
                // Over the middle of the run: its first and last second left out.
                var started = Stopwatch.GetTimestamp();
                if (cpu is not null && seconds >= 4)
                {
                    await Clock.UntilAsync(started + Stopwatch.Frequency);
                    var a = CpuSnapshot.Take(cpu, wrkCpu);
                    await Clock.UntilAsync(started + ((seconds - 1) * Stopwatch.Frequency));
                    window = a.To(CpuSnapshot.Take(cpu, wrkCpu));
                }
            });
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result (exit code {exitCode}):\n{output}");
        var v = line[ResultPrefix.Length..].Split(' ').Select(s => double.Parse(s, Report.Inv)).ToArray();
        var rest = string.Join('\n', output.Split('\n').Where(l => !l.StartsWith(ResultPrefix, StringComparison.Ordinal))).TrimEnd();
        return new WrkResult(v[0] / 1e6, (long)v[1], (long)v[3], (long)v[4], (long)v[5], v[6], v[7], v[8], v[9], window, rest);
    }

    /// <summary>Runs wrk in the <c>wrk/</c> folder (where the scripts are) and returns its exit code and output.</summary>
    /// <param name="duringRun">Given wrk's CPU seconds so far, runs while wrk does; or null.</param>
    private static async Task<(int ExitCode, string Output)> RunAsync(string[] args, int seconds, Func<Func<double>, Task>? duringRun)
    {
        var info = new ProcessStartInfo("wrk", args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.Combine(AppContext.BaseDirectory, "wrk") };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start wrk.");
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        try
        {
            await (duringRun?.Invoke(() =>
            {
                process.Refresh();
                return process.TotalProcessorTime.TotalSeconds;
            }) ?? Task.CompletedTask);
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

        return (process.ExitCode, await stdout + await stderr);
    }
}
