using System.Diagnostics;

namespace LabThings.Cameras.Ffmpeg;

/// <summary>
/// One FFmpeg child process: its standard output is read by the caller, its standard error is passed on line by line,
/// and it is stopped by asking (FFmpeg quits on <c>q</c> read from standard input), then by killing its process tree.
/// Disposing kills it if it still runs and waits for it, so no FFmpeg outlives its camera.
/// </summary>
internal sealed class FfmpegProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private string? _lastErrorLine;
    private int _stopRequested;

    private FfmpegProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Completes when the process has exited. Unlike <see cref="Process.WaitForExitAsync(CancellationToken)"/>, it does not
    /// also wait for standard error to end, which a leftover child holding the pipe could keep open for ever.
    /// </summary>
    public Task Exited => _exited.Task;

    /// <summary>FFmpeg's standard output, where the frames come.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>The last line FFmpeg wrote to standard error, or null.</summary>
    public string? LastErrorLine
    {
        get
        {
            lock (_gate)
            {
                return _lastErrorLine;
            }
        }
    }

    /// <summary>Starts FFmpeg.</summary>
    /// <param name="executable">The executable's path or name.</param>
    /// <param name="arguments">Its arguments (passed as they are: no shell).</param>
    /// <param name="onErrorLine">Called with each line of standard error, on a pool thread.</param>
    /// <returns>The running process.</returns>
    /// <exception cref="System.ComponentModel.Win32Exception">The executable was not found or could not be started.</exception>
    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, Action<string> onErrorLine)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var ffmpeg = new FfmpegProcess(process);
        process.Exited += (_, _) => ffmpeg._exited.TrySetResult();
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                lock (ffmpeg._gate)
                {
                    ffmpeg._lastErrorLine = e.Data;
                }

                onErrorLine(e.Data);
            }
        };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            ffmpeg._exited.TrySetResult();
        }

        return ffmpeg;
    }

    /// <summary>Runs FFmpeg to completion and returns what it wrote to standard error (for short queries such as a device's format list).</summary>
    /// <param name="executable">The executable's path or name.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="timeout">How long it may take before it is killed.</param>
    /// <param name="cancellationToken">Kills it early.</param>
    /// <returns>Standard error's text.</returns>
    /// <exception cref="System.ComponentModel.Win32Exception">The executable was not found.</exception>
    public static async Task<string> QueryAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        var process = Start(executable, arguments, line =>
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        });
        await using var disposeProcess = process.ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.Exited.WaitAsync(limit.Token).ConfigureAwait(false);

            // The last lines of standard error may still be on their way.
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await process._process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposal kills it.
        }

        lock (text)
        {
            return text.ToString();
        }
    }

    /// <summary>Asks FFmpeg to quit, and kills its process tree if it has not after <paramref name="timeout"/>. Returns at once; idempotent.</summary>
    /// <param name="timeout">How long FFmpeg is given.</param>
    public void RequestStop(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await _process.StandardInput.WriteAsync('q').ConfigureAwait(false);
                await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // It has gone already, or its input is closed: the kill below covers it.
            }

            try
            {
                await Exited.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Kill();
            }
        });
    }

    /// <summary>Waits for FFmpeg to exit (after its output has ended) and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It had not exited 10 s after being killed (stuck in the kernel).</exception>
    /// <param name="timeout">After this, its process tree is killed and waited for.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await Exited.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        // Let its last lines of standard error arrive (they say why it stopped), unless a leftover child keeps the pipe open.
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await _process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Standard error is still open: go on without its last lines.
        }

        return _process.ExitCode;
    }

    /// <summary>Kills FFmpeg's process tree if it still runs, waits for it, and releases it.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Killed and not gone within 10 s (a process stuck in the kernel): nothing more can be done from here.
        }

        _process.Dispose();
    }

    /// <summary>Kills the process and any children it started; nothing if it has exited.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited between the check and the kill, or never started.
        }
    }
}
