using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace LabThings.Benchmarks;

/// <summary>The Markdown a benchmark prints on stdout at the end; progress goes to stderr as it happens.</summary>
/// <remarks>Interpolated numbers use the current culture, which is the invariant one: the project sets InvariantGlobalization.</remarks>
internal sealed class Report
{
    public const double MB = 1_000_000;

    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly StringBuilder _text = new();
    private readonly Stopwatch _started = Stopwatch.StartNew();
    private readonly double _loadAverage = Proc.LoadAverage(); // before the run: a report is made when its benchmark is

    public void Line(string text = "") => _text.AppendLine(text);

    /// <summary>A paragraph: the text, then a blank line.</summary>
    public void Paragraph(string text)
    {
        Line(text);
        Line();
    }

    /// <summary>A table's header row and alignment row: the first column left-aligned, the others right-aligned.</summary>
    public void TableHeader(params string[] columns)
    {
        Line("| " + string.Join(" | ", columns) + " |");
        Line("|---|" + string.Concat(Enumerable.Repeat("---:|", columns.Length - 1)));
    }

    /// <summary>The "Environment" section: machine, runtime, server, and what else the benchmark wants said.</summary>
    public void Environment(string server, params string[] more)
    {
        Paragraph("## Environment");
        Line($"- {System.Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; this process: server GC {GCSettings.IsServerGC}");
        Line($"- server: {server}");
        Array.ForEach(more, item => Line($"- {item}"));
        Line($"- 1-minute load average before the run: {_loadAverage:F2} (it includes the runnable threads of this benchmark's previous run for a minute or so)");
        Line();
    }

    /// <summary>Ends the report with the total run time and writes it to stdout.</summary>
    public void Print()
    {
        Line($"Total run time {_started.Elapsed.TotalSeconds:F0} s.");
        Console.Out.Write(_text.ToString());
    }

    public static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Cores as a percentage of one core, or <paramref name="missing"/> for null or NaN.</summary>
    public static string Percent(double? cores, string missing = "–") => cores is { } c && !double.IsNaN(c) ? (c * 100).ToString("F0", Inv) : missing;
}
