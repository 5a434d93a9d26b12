namespace LabThings.Cli;

/// <summary>The exit codes of <c>labthings</c> (documented in docs/clients.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>An action ran and failed (its invocation ended with an error, or someone else cancelled it), a file could not be written, or something unexpected.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: an unknown command or option, a missing argument, JSON that does not parse, a name the Thing does not have, an operation the affordance does not offer.</summary>
    public const int Usage = 2;

    /// <summary>The server answered with an error status (its problem details are printed).</summary>
    public const int Refused = 3;

    /// <summary>No answer: the server could not be reached, the connection broke, or the answer took longer than <c>--timeout</c>.</summary>
    public const int Unreachable = 4;

    /// <summary>The server answered with something that is not what the command expects (not JSON, not a Thing Description, not an image).</summary>
    public const int BadAnswer = 5;

    /// <summary>Interrupted by Ctrl+C (SIGINT) or SIGTERM; a running invocation was cancelled on the Thing first. 128 + SIGINT, as shells report it.</summary>
    public const int Cancelled = 130;
}
