using System.Text.RegularExpressions;
using LabThings.Cli;
using LabThings.Tests.Support;

namespace LabThings.Tests.Cli;

/// <summary>Runs the <c>labthings</c> command line in-process, with its standard output and error captured.</summary>
internal static partial class CliRunner
{
    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(args, null);

    public static async Task<ProcessResult> RunAsync(
        string[] args, IReadOnlyDictionary<string, string>? environment, bool terminal = false, CancellationToken cancellationToken = default)
    {
        var run = Start(args, environment, terminal, cancellationToken);
        return await run.Completion;
    }

    /// <summary>Starts the command line and returns at once: its output can be read while it runs.</summary>
    public static Running Start(string[] args, IReadOnlyDictionary<string, string>? environment = null, bool terminal = false, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        // Synchronized writers lock themselves for each write; Running reads them under the same lock.
        var synchronizedOutput = TextWriter.Synchronized(output);
        var synchronizedError = TextWriter.Synchronized(error);
        var console = new CliConsole(synchronizedOutput, synchronizedError, terminal, name => environment?.GetValueOrDefault(name));
        var completion = Task.Run(async () =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromMinutes(1));
            var code = await CliApp.RunAsync(args, console, deadline.Token);
            return new ProcessResult(code, Read(synchronizedOutput, output), Read(synchronizedError, error));
        });
        return new Running(completion, () => Read(synchronizedOutput, output), () => Read(synchronizedError, error));
    }

    /// <summary>Lines of a .NET stack trace (<c>   at Type.Method(…)</c>), which no expected failure may print.</summary>
    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    public static partial Regex StackFrame();

    private static string Read(TextWriter synchronized, StringWriter writer)
    {
        lock (synchronized)
        {
            return writer.ToString();
        }
    }

    /// <summary>A command line still running: what it has printed so far, and its result when it ends.</summary>
    public sealed record Running(Task<ProcessResult> Completion, Func<string> Output, Func<string> Error)
    {
        public string[] OutputLines => Output().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
