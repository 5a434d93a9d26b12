using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LabThings.Cli;

/// <summary>
/// A progress bar for <c>invoke</c>, redrawn in place on standard error (with <c>\r</c>) five times a second while the
/// action runs: the action's name, a bar once the Thing reports progress, the percentage and the time so far. Draws
/// nothing when standard error is not a terminal (a log file or a pipe gets no control characters). The line is
/// cleared when the bar is disposed, so only the output remains.
/// </summary>
internal sealed class ProgressBar : IProgress<double>, IAsyncDisposable
{
    private const int Width = 30;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly TextWriter _error;
    private readonly string _label;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double _fraction = double.NaN;
    private int _drawnLength;

    public ProgressBar(TextWriter error, string label, bool enabled)
    {
        _error = error;
        _label = label;
        _loop = enabled ? DrawLoopAsync() : Task.CompletedTask;
    }

    public void Report(double value) => Volatile.Write(ref _fraction, Math.Clamp(value, 0, 1));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>The line as drawn for a fraction (NaN: no progress reported yet) after some time.</summary>
    internal static string Line(string label, double fraction, TimeSpan elapsed)
    {
        var line = new StringBuilder(label).Append(' ');
        if (double.IsNaN(fraction))
        {
            line.Append("[running]");
        }
        else
        {
            var done = (int)Math.Round(fraction * Width);
            line.Append('[').Append('#', done).Append('-', Width - done).Append("] ")
                .Append(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,3:0}%"));
        }

        return line.Append(string.Create(CultureInfo.InvariantCulture, $"  {elapsed.TotalSeconds:0.0} s")).ToString();
    }

    private async Task DrawLoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                Draw(Line(_label, Volatile.Read(ref _fraction), _elapsed.Elapsed));
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Stopped: the action has ended.
        }

        // Clear the line.
        Draw("");
        _error.Write('\r');
        _error.Flush();
    }

    private void Draw(string line)
    {
        var padding = Math.Max(0, _drawnLength - line.Length);
        _error.Write('\r');
        _error.Write(line);
        _error.Write(new string(' ', padding));
        _error.Flush();
        _drawnLength = line.Length;
    }
}
