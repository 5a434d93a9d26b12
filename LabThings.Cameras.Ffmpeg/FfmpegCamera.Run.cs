using System.Buffers;
using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace LabThings.Cameras.Ffmpeg;

public sealed partial class FfmpegCamera
{
    private const int ReadSize = 16 * 1024;

    // The arrays frames live in, from FFmpeg's pipe to the last client that copies them out: enough per size for the
    // ring buffer, the frame being read and a few held by readers, so a steady stream allocates none.
    private readonly ArrayPool<byte> _frames = ArrayPool<byte>.Create(JpegFrameSplitter.DefaultMaxFrameBytes * 2, 16);

    /// <summary>Runs FFmpeg until the camera stops, restarting it with back-off when it ends on its own.</summary>
    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = _options.RestartDelay;
        var failing = false;
        while (!stopping.IsCancellationRequested)
        {
            using var restart = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            lock (_gate)
            {
                _restart = restart;
            }

            RunOutcome outcome;
            try
            {
                outcome = await RunOnceAsync(failing, restart.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever went wrong, the camera keeps trying and the server keeps running.
                outcome = new RunOutcome(0, null, $"The camera failed: {ex.Message}");
                Log.RunFailed(Logger, ex, Name);
            }
            finally
            {
                lock (_gate)
                {
                    _restart = null;
                }

                ProcessId = null;
                PassthroughMjpeg = false;
            }

            if (stopping.IsCancellationRequested)
            {
                break;
            }

            if (restart.IsCancellationRequested)
            {
                // A setting changed or a client asked: start again now, with the new settings.
                delay = _options.RestartDelay;
                failing = false;
                continue;
            }

            if (outcome.Frames > 0)
            {
                delay = _options.RestartDelay;
            }

            var retry = delay.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            StatusMessage = $"{outcome.Message}; trying again in {retry} s";
            Status = CameraState.Failed;
            failing = true;
            Log.FfmpegStopped(Logger, Name, outcome.Message, delay.TotalSeconds);
            try
            {
                RaiseProblem(new CameraProblem(outcome.Message, outcome.ExitCode, delay.TotalSeconds));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.RunFailed(Logger, ex, Name);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            lock (_gate)
            {
                _restart = wake;
            }

            try
            {
                await Task.Delay(delay, wake.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping, or a restart asked for now.
            }
            finally
            {
                lock (_gate)
                {
                    _restart = null;
                }
            }

            delay = outcome.Frames > 0 ? _options.RestartDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRestartDelay.Ticks));
        }

        Status = CameraState.Stopped;
        StatusMessage = "Stopped";
    }

    /// <summary>
    /// Runs FFmpeg once, until its output ends or <paramref name="stop"/> asks it to quit. After a failure, the status
    /// keeps saying what went wrong until a frame arrives.
    /// </summary>
    private async Task<RunOutcome> RunOnceAsync(bool afterFailure, CancellationToken stop)
    {
        var settings = new CaptureSettings(Input, InputFormat, Resolution, FrameRate, JpegQuality);
        if (!afterFailure)
        {
            Status = CameraState.Starting;
            StatusMessage = $"Starting FFmpeg on {settings.Input}";
        }

        var passthrough = false;
        if (FfmpegArguments.EffectiveFormat(settings) == "v4l2")
        {
            passthrough = await DeviceOffersMjpegAsync(settings.Input, stop).ConfigureAwait(false);
        }

        IReadOnlyList<string> arguments;
        try
        {
            arguments = FfmpegArguments.Build(settings, passthrough);
        }
        catch (ArgumentException ex)
        {
            return new RunOutcome(0, null, ex.Message);
        }

        FfmpegProcess process;
        try
        {
            process = FfmpegProcess.Start(_options.FfmpegPath, arguments, line => Log.FfmpegSaid(Logger, Name, line));
        }
        catch (Win32Exception ex)
        {
            return new RunOutcome(0, null, $"FFmpeg could not be started from '{_options.FfmpegPath}' ({ex.Message}); install it (Debian: apt-get install ffmpeg)");
        }

        await using (process.ConfigureAwait(false))
        {
            ProcessId = process.Id;
            PassthroughMjpeg = passthrough;
            Log.FfmpegStarted(Logger, Name, process.Id, string.Join(' ', arguments));
            long frames = 0;
            using var splitter = new JpegFrameSplitter(OnFrame, _frames);

            // The read loop ends when FFmpeg's output does: when it exits, or when it has been asked to stop (and killed
            // if it would not), by the camera or by the watchdog when FFmpeg has sent nothing for too long.
            var stall = StallTimeout(settings);
            var lastData = Environment.TickCount64;
            var stalled = false;
            using var watchdog = stall is { } limit
                ? new Timer(
                    _ =>
                    {
                        if (Environment.TickCount64 - Volatile.Read(ref lastData) > limit.TotalMilliseconds)
                        {
                            Volatile.Write(ref stalled, true);
                            process.RequestStop(_options.StopTimeout);
                        }
                    },
                    null,
                    TimeSpan.FromMilliseconds(Math.Min(1000, limit.TotalMilliseconds / 4)),
                    TimeSpan.FromMilliseconds(Math.Min(1000, limit.TotalMilliseconds / 4)))
                : null;

            // Output normally ends when FFmpeg exits; if something it started still holds the pipe, stop reading 2 s later.
            using var abandon = new CancellationTokenSource();
            _ = process.Exited.ContinueWith(
                _ =>
                {
                    try
                    {
                        abandon.CancelAfter(TimeSpan.FromSeconds(2));
                    }
                    catch (ObjectDisposedException)
                    {
                        // This run has ended already.
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            using (stop.Register(() => process.RequestStop(_options.StopTimeout)))
            {
                try
                {
                    while (true)
                    {
                        var read = await process.Output.ReadAsync(splitter.GetMemory(ReadSize), abandon.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        Volatile.Write(ref lastData, Environment.TickCount64);
                        splitter.Advance(read);
                    }
                }
                catch (OperationCanceledException) when (abandon.IsCancellationRequested)
                {
                    Log.OutputAbandoned(Logger, Name);
                }
            }

            var exitCode = await process.WaitForExitAsync(_options.StopTimeout).ConfigureAwait(false);
            if (Volatile.Read(ref stalled) && !stop.IsCancellationRequested)
            {
                var seconds = stall!.Value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
                return new RunOutcome(frames, exitCode, $"FFmpeg sent nothing for {seconds} s and was stopped");
            }

            var said = process.LastErrorLine is { } line ? $": {line}" : "";
            var message = frames == 0
                ? $"FFmpeg exited with code {exitCode} before sending a frame{said}"
                : $"FFmpeg exited with code {exitCode} after {frames} frames{said}";
            return new RunOutcome(frames, exitCode, message);

            void OnFrame(byte[] buffer, int length)
            {
                AddFrame(buffer, length);
                if (++frames == 1)
                {
                    Status = CameraState.Streaming;
                    StatusMessage = passthrough ? $"Streaming {settings.Input} (the camera's own MJPEG)" : $"Streaming {settings.Input}";
                }
            }
        }
    }

    /// <summary>Hands a frame and its pooled array to the stream, which returns the array to the pool when done with it.</summary>
    private void AddFrame(byte[] buffer, int length)
    {
        try
        {
            Stream.AddFrame(buffer, length, _frames, timestamp: null);
        }
        catch (ArgumentException ex)
        {
            _frames.Return(buffer);
            Log.BadFrame(Logger, ex, Name);
        }
    }

    private async Task<bool> DeviceOffersMjpegAsync(string device, CancellationToken cancellationToken)
    {
        try
        {
            var formats = await FfmpegProcess.QueryAsync(_options.FfmpegPath, FfmpegArguments.ListV4l2Formats(device), TimeSpan.FromSeconds(5), cancellationToken)
                .ConfigureAwait(false);
            return FfmpegArguments.OffersMjpeg(formats);
        }
        catch (Win32Exception)
        {
            return false; // FFmpeg is missing: the run that follows says so.
        }
    }

    /// <summary>How long FFmpeg may be silent: the option, but at least three frame intervals; null if the check is off.</summary>
    private TimeSpan? StallTimeout(CaptureSettings settings)
    {
        var limit = _options.StallTimeout;
        if (limit == Timeout.InfiniteTimeSpan || limit <= TimeSpan.Zero)
        {
            return null;
        }

        return settings.FrameRate > 0 && limit.TotalSeconds < 3 / settings.FrameRate ? TimeSpan.FromSeconds(3 / settings.FrameRate) : limit;
    }

    private sealed record RunOutcome(long Frames, int? ExitCode, string Message);
}
