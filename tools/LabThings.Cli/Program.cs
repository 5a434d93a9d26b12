using System.Runtime.InteropServices;

namespace LabThings.Cli;

/// <summary>The <c>labthings</c> process: the command line with the process's console and signals.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        var signals = 0;

        // The first Ctrl+C (SIGINT) or SIGTERM cancels the command, and with it a running invocation on the Thing, and
        // the process then exits with ExitCodes.Cancelled; a second one ends the process at once.
        void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref signals) == 1)
            {
                context.Cancel = true;
                interrupt.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await CliApp.RunAsync(args, CliConsole.ForProcess(), interrupt.Token).ConfigureAwait(false);
    }
}
