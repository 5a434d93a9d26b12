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

    /// <summary>
    /// For a person reading a console: a header, then one problem per line, then where the LT codes are explained.
    /// </summary>
    private static string FormatMessage(IReadOnlyList<string> problems)
    {
        var nl = Environment.NewLine;
        var header = problems.Count == 1
            ? "LabThings cannot use the Things as declared (1 problem):"
            : $"LabThings cannot use the Things as declared ({problems.Count} problems):";
        var footer = problems.Any(p => p.Contains("(LT0", StringComparison.Ordinal))
            ? $"{nl}Each LT code is explained in docs/diagnostics.md ({DiagnosticsHelp}); the LabThings analyzer reports them while you type."
            : "";
        return header + nl + "  - " + string.Join(nl + "  - ", problems) + footer;
    }

    private const string DiagnosticsHelp = "https://github.com/labthings-dotnet/labthings-dotnet/blob/main/docs/diagnostics.md";
}
