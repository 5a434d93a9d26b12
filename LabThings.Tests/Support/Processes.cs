using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace LabThings.Tests.Support;

/// <summary>The outcome of a finished process.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;

    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}{Output}{Environment.NewLine}{Error}";
}

/// <summary>Runs the .NET SDK and other programs for the packaging tests, with a clean environment (no MSBuild state of the test run).</summary>
internal static class Processes
{
    /// <summary>The .NET installation running the tests (the folder of the <c>dotnet</c> executable).</summary>
    public static string DotnetRoot { get; } = FindDotnetRoot();

    public static string Dotnet => Path.Combine(DotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        // `dotnet test` hands MSBuild settings to the test host; a nested build must not inherit them.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_ROOT"] = DotnetRoot;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    /// <summary>Runs a program to the end (killed after <paramref name="timeout"/>).</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(file, arguments, workingDirectory, environment)) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish in {timeout}:{Environment.NewLine}{await output}{await error}");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs <c>dotnet</c> and fails the test with its output if it does not succeed.</summary>
    public static async Task<ProcessResult> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var result = await RunAsync(Dotnet, arguments, workingDirectory, environment, TimeSpan.FromMinutes(8));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed: {result}");
        }

        return result;
    }

    private static string FindDotnetRoot()
    {
        // System.Private.CoreLib is in {root}/shared/Microsoft.NETCore.App/{version}/.
        var runtime = new DirectoryInfo(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        return runtime.Parent!.Parent!.Parent!.FullName;
    }
}

/// <summary>A program that runs until disposed (a server), with its output collected as it comes.</summary>
internal sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Regex _readyLine;

    private BackgroundProcess(Process process, Regex readyLine)
    {
        _process = process;
        _readyLine = readyLine;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts the program and waits for an output line matching <paramref name="readyLine"/>; returns the process and
    /// the match's first group (e.g. the address it listens on).
    /// </summary>
    public static async Task<(BackgroundProcess Process, string Match)> StartAsync(string file, IEnumerable<string> arguments, string workingDirectory, Regex readyLine, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var process = Process.Start(Processes.StartInfo(file, arguments, workingDirectory, environment)) ?? throw new InvalidOperationException($"Could not start {file}.");
        var running = new BackgroundProcess(process, readyLine);
        process.OutputDataReceived += (_, e) => running.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => running.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => running._ready.TrySetException(new InvalidOperationException($"{file} exited before it was ready:{Environment.NewLine}{running.Output}"));
        var ready = await running._ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return (running, ready);
    }

    /// <summary>Waits for the process to end; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (_readyLine.Match(line) is { Success: true } match)
        {
            _ready.TrySetResult(match.Groups[1].Value);
        }
    }
}
