using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace LabThings.Benchmarks;

/// <summary>The Markdown a benchmark prints on stdout at the end; progress goes to stderr as it happens.</summary>
internal sealed class Report
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly StringBuilder _text = new();

    /// <summary>Interpolated numbers use the current culture, which is the invariant one: the project sets InvariantGlobalization.</summary>
    public void Line(string text = "") => _text.AppendLine(text);

    public void Environment(string server, double loadAverage, string more)
    {
        Line("## Environment");
        Line();
        Line($"- {System.Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; this process: server GC {GCSettings.IsServerGC}");
        Line($"- server: {server}");
        Line($"- {more}");
        Line($"- 1-minute load average before the run: {loadAverage:F2} (it includes the runnable threads of this benchmark's previous run for a minute or so)");
        Line();
    }

    public override string ToString() => _text.ToString();

    public static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>The 1-minute load average from /proc/loadavg; NaN if it cannot be read.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], Inv);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
