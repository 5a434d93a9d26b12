namespace LabThings.Server;

/// <summary>
/// Thrown when a LabThings configuration cannot be used: an unknown key, a type that cannot be found, a constructor
/// argument or setting of the wrong type. Lists every problem found, each starting with the configuration path of
/// the offending entry (e.g. <c>LabThings:Things:camera:Arguments:width</c>).
/// </summary>
public sealed class LabThingsConfigurationException : InvalidOperationException
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="problems">One line per problem, each starting with a configuration path.</param>
    public LabThingsConfigurationException(IReadOnlyList<string> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception with a single problem.</summary>
    public LabThingsConfigurationException()
        : this(["The configuration is not valid."])
    {
    }

    /// <summary>Creates the exception with a single problem.</summary>
    /// <param name="message">The problem.</param>
    public LabThingsConfigurationException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with a single problem and its cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public LabThingsConfigurationException(string message, Exception innerException)
        : base(FormatMessage([message]), innerException)
    {
        Problems = [message];
    }

    /// <summary>Every problem found, one line each.</summary>
    public IReadOnlyList<string> Problems { get; } = [];

    private static string FormatMessage(IReadOnlyList<string> problems)
        => problems.Count == 1
            ? $"Invalid LabThings configuration: {problems[0]}"
            : $"Invalid LabThings configuration ({problems.Count} problems):{Environment.NewLine}- "
              + string.Join(Environment.NewLine + "- ", problems);
}
