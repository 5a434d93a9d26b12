using LabThings.Client;

namespace LabThings.Cli;

/// <summary>A failure the command line explains itself: printed as <c>labthings: {Message}</c>, without a stack trace.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, ThingProblemException? problem = null)
        : base(message, problem)
    {
        ExitCode = exitCode;
        Problem = problem;
    }

    /// <summary>The process's exit code (<see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; }

    /// <summary>The server's answer, printed before <see cref="Exception.Message"/> (then a hint), when there was one.</summary>
    public ThingProblemException? Problem { get; }
}
