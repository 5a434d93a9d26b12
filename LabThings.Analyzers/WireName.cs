using System.Globalization;
using System.Text;

namespace LabThings.Analyzers;

/// <summary>
/// Wire names as LabThings.Core derives them: snake_case of the member name without a trailing <c>Async</c>.
/// The splitting follows System.Text.Json's <c>JsonNamingPolicy.SnakeCaseLower</c> (which an analyzer cannot load);
/// LabThings.Analyzers.Tests compares the two on a list of names.
/// </summary>
internal static class WireName
{
    private const string AsyncSuffix = "Async";

    public static string FromMember(string memberName)
    {
        var name = memberName.Length > AsyncSuffix.Length && memberName.EndsWith(AsyncSuffix, System.StringComparison.Ordinal)
            ? memberName.Substring(0, memberName.Length - AsyncSuffix.Length)
            : memberName;
        return SnakeCase(name);
    }

    private enum State
    {
        NotStarted,
        Upper,
        LowerOrDigit,
        Space,
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        var state = State.NotStarted;
        var trimmed = name.Trim();
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            switch (char.GetUnicodeCategory(c))
            {
                case UnicodeCategory.UppercaseLetter:
                    if (state is State.LowerOrDigit or State.Space
                        || (state == State.Upper && i + 1 < trimmed.Length && char.IsLower(trimmed[i + 1])))
                    {
                        sb.Append('_');
                    }

                    sb.Append(char.ToLowerInvariant(c));
                    state = State.Upper;
                    break;
                case UnicodeCategory.LowercaseLetter:
                case UnicodeCategory.DecimalDigitNumber:
                    if (state == State.Space)
                    {
                        sb.Append('_');
                    }

                    sb.Append(c);
                    state = State.LowerOrDigit;
                    break;
                case UnicodeCategory.SpaceSeparator:
                    if (state != State.NotStarted)
                    {
                        state = State.Space;
                    }

                    break;
                default:
                    sb.Append(c);
                    state = State.NotStarted;
                    break;
            }
        }

        return sb.ToString();
    }
}
