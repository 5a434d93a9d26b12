namespace LabThings.ClientGenerator;

/// <summary>The exit codes of <c>labthings-client</c> (docs/clients.md lists them).</summary>
internal static class ExitCodes
{
    /// <summary>Every client was written.</summary>
    public const int Success = 0;

    /// <summary>The command line is wrong (an unknown option, a missing argument, a namespace that is not one).</summary>
    public const int Usage = 1;

    /// <summary>A source could not be read: a URL that cannot be reached or answers with an error, a missing file.</summary>
    public const int Unreachable = 2;

    /// <summary>A source is not JSON, not a Thing Description nor a listing of them, or a TD is malformed.</summary>
    public const int InvalidDescription = 3;

    /// <summary>The output folder or a file in it cannot be written.</summary>
    public const int OutputNotWritable = 4;
}
