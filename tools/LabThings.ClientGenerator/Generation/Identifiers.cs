using System.Globalization;
using System.Text;

namespace LabThings.ClientGenerator.Generation;

/// <summary>
/// Turns names from a Thing Description (snake_case, kebab-case, titles with spaces, anything) into C# identifiers.
/// </summary>
internal static class Identifiers
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        // A contextual keyword that cannot name a parameter of an async method.
        "await",
    };

    /// <summary>
    /// PascalCase: words are split at anything that is not a letter or digit and where lower case turns to upper
    /// (<c>frame_rate</c>, <c>frame-rate</c>, <c>Frame rate</c> and <c>frameRate</c> all give <c>FrameRate</c>).
    /// A name that would start with a digit gets <paramref name="prefixForDigit"/> in front; an empty one becomes
    /// <paramref name="fallback"/>.
    /// </summary>
    public static string Pascal(string name, string fallback = "Value", string prefixForDigit = "_")
    {
        var words = Words(name);
        if (words.Count == 0)
        {
            return fallback;
        }

        var builder = new StringBuilder();
        foreach (var word in words)
        {
            builder.Append(char.ToUpperInvariant(word[0]));
            builder.Append(word.AsSpan(1));
        }

        var result = builder.ToString();
        return char.IsDigit(result[0]) ? prefixForDigit + result : result;
    }

    /// <summary>Whether <paramref name="name"/> is a C# keyword (or <c>await</c>).</summary>
    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>camelCase, for parameters; C# keywords get an <c>@</c> in front.</summary>
    public static string Camel(string name, string fallback = "value")
    {
        var pascal = Pascal(name, fallback, "_");
        var camel = pascal.StartsWith('_') ? pascal : char.ToLowerInvariant(pascal[0]) + pascal[1..];
        return Keywords.Contains(camel) ? "@" + camel : camel;
    }

    /// <summary>The first name of <paramref name="candidates"/> not in <paramref name="taken"/>, else the last with 2, 3, … appended before its suffix; the result is added to <paramref name="taken"/>.</summary>
    public static string Unique(HashSet<string> taken, IReadOnlyList<string> candidates, string suffix = "")
    {
        foreach (var candidate in candidates)
        {
            if (taken.Add(candidate + suffix))
            {
                return candidate + suffix;
            }
        }

        var last = candidates[^1];
        for (var i = 2; ; i++)
        {
            var numbered = last + i.ToString(CultureInfo.InvariantCulture) + suffix;
            if (taken.Add(numbered))
            {
                return numbered;
            }
        }
    }

    /// <summary>The words of a name: runs of letters and digits, split also where a lower-case letter or digit is followed by an upper-case one.</summary>
    private static List<string> Words(string name)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!IsIdentifierPart(c))
            {
                Flush();
                continue;
            }

            if (current.Length > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
            {
                Flush();
            }

            current.Append(c);
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static bool IsIdentifierPart(char c) =>
        char.IsAsciiLetterOrDigit(c)
        || (c > 127 && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber);
}
