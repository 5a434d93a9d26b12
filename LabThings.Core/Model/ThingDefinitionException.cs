namespace LabThings.Model;

/// <summary>
/// Thrown when one or more Thing types cannot be described: an attribute on the wrong kind of member,
/// an invalid or duplicate name, an unsupported type. Lists every problem found, each naming the type and member.
/// </summary>
public sealed class ThingDefinitionException : InvalidOperationException
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="problems">One line per problem, each naming the type and member.</param>
    public ThingDefinitionException(IReadOnlyList<string> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception with a single problem.</summary>
    public ThingDefinitionException()
        : this(["The Thing type cannot be described."])
    {
    }

    /// <summary>Creates the exception with a single problem.</summary>
    /// <param name="message">The problem.</param>
    public ThingDefinitionException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with a single problem and its cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public ThingDefinitionException(string message, Exception innerException)
        : base(FormatMessage([message]), innerException)
    {
        Problems = [message];
    }

    /// <summary>Every problem found, one line each.</summary>
    public IReadOnlyList<string> Problems { get; } = [];

    private static string FormatMessage(IReadOnlyList<string> problems)
        => problems.Count == 1
            ? $"Cannot describe Thing: {problems[0]}"
            : $"Cannot describe Things ({problems.Count} problems):{Environment.NewLine}- "
              + string.Join(Environment.NewLine + "- ", problems);
}
