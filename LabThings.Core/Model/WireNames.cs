using System.Text;
using System.Text.Json;

namespace LabThings.Model;

/// <summary>Names on the wire: snake_case of the C# member, as labthings-fastapi's clients expect.</summary>
internal static class WireNames
{
    /// <summary><c>FrameRate</c> → <c>frame_rate</c>; a trailing <c>Async</c> is dropped (<c>NextFrameSizeAsync</c> → <c>next_frame_size</c>).</summary>
    public static string FromMember(string memberName)
    {
        var trimmed = memberName.Length > "Async".Length && memberName.EndsWith("Async", StringComparison.Ordinal)
            ? memberName[..^"Async".Length]
            : memberName;
        return JsonNamingPolicy.SnakeCaseLower.ConvertName(trimmed);
    }

    /// <summary>Words for a title: <c>FrameRate</c> → <c>Frame rate</c>.</summary>
    public static string Humanize(string memberName)
    {
        var snake = FromMember(memberName);
        var sb = new StringBuilder(snake.Length);
        foreach (var word in snake.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(word);
        }

        if (sb.Length > 0)
        {
            sb[0] = char.ToUpperInvariant(sb[0]);
        }

        return sb.ToString();
    }

    /// <summary>Why an affordance cannot have this name, or null if it can.</summary>
    public static string? AffordanceNameProblem(string name)
        => UrlProblem(name) ?? (ThingPaths.ReservedAffordanceNames.Contains(name) ? $"the name '{name}' is reserved" : null);

    /// <summary>Why a name cannot be a URL segment, or null if it can.</summary>
    public static string? UrlProblem(string name) => IsName(name, extra: "-")
        ? null
        : $"the name '{name}' is not usable in a URL: use letters, digits, '_' and '-' only, starting with a letter or '_'";

    /// <summary>
    /// Whether <paramref name="name"/> is an ASCII letter or '_', then ASCII letters, digits, '_' and the characters in
    /// <paramref name="extra"/>. A loop rather than a regular expression, so that start-up does not load
    /// System.Text.RegularExpressions for it (and, unlike a regex's <c>$</c>, it does not accept a trailing newline).
    /// </summary>
    public static bool IsName(string name, string extra)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name.AsSpan(1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || extra.Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
