using System.Diagnostics;

namespace LabThings.Benchmarks;

/// <summary>
/// This same program, started with an internal command and talked to over stdin and stdout: the benchmarks run
/// their load generators and the example server so, to keep the server's CPU time and memory its own.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    /// <param name="args">The command line after the program, e.g. <c>clients</c>.</param>
    /// <param name="environment">Variables set for the child only, such as DOTNET_* runtime settings.</param>
    public static ChildProcess Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's path.");
        string[] program = Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? [typeof(ChildProcess).Assembly.Location] : [];
        var info = new ProcessStartInfo(host, [.. program, .. args]) { RedirectStandardInput = true, RedirectStandardOutput = true };

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{string.Join(' ', args)}'."));
    }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>, and returns the rest of that line.</summary>
    /// <param name="onOther">Told every other line, or null.</param>
    public async Task<string> ReadUntilAsync(string prefix, Action<string>? onOther, CancellationToken cancellationToken)
    {
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }

            onOther?.Invoke(line);
        }

        await _process.WaitForExitAsync(cancellationToken);
        throw new InvalidOperationException($"The child process ended (exit code {_process.ExitCode}) without a '{prefix.Trim()}' line.");
    }

    /// <summary>CPU time (user + system) the child has used so far, in seconds.</summary>
    public double CpuSeconds()
    {
        _process.Refresh();
        return _process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Closes the child's stdin (which tells a server to stop), waits at most 10 s for it to end, then kills it.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
