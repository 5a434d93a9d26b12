using System.Globalization;
using System.Text;
using CsCheck;

namespace LabThings.Tests.Support;

/// <summary>
/// Generators of hostile request bodies, for the fuzz smoke: JSON text written by hand so that it can hold what a
/// serializer never writes (duplicate keys, lone surrogate escapes, numbers beyond any type, control characters),
/// valid bodies with random edits, and random bytes.
/// </summary>
internal static class JsonFuzz
{
    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "1.5", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890", "1e308", "1e309", "1e400", "-1e400", "1e-400",
        "4.9e-324", "0.1e1", "1E2", "NaN", "Infinity", "01", "1.", ".5", "+1", "0x10",
    ];

    private static readonly string[] StringPieces =
    [
        "", "a", "ABC", "Fast", "Accurate", "é", "😀", "\\ud800", "\\udc00", "\\ud800\\udc00", "\\u0000", "\\n", "\\\"", "\\/",
        "<script>", "${x}", "../..", "%00", "\\u202e", "\\uffff", "\\x41",
    ];

    private static readonly string[] Keys =
    [
        "x", "y", "label", "a", "b", "position", "mode", "tags", "data", "seconds", "size", "href", "", "X", "x ", "__proto__",
        "messageType", "\\ud800", "exposure", "😀",
    ];

    /// <summary>null, booleans (and near misses), numbers of every range, strings with hostile escapes and control characters.</summary>
    private static Gen<string> Scalar { get; } = Gen.Frequency(
        (1, Gen.OneOf<string>("null", "true", "false", "tru", "nul")),
        (3, Gen.OneOf<string>(Numbers)),
        (1, Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (3, Gen.OneOf<string>(StringPieces).Array[0, 4].Select(pieces => "\"" + string.Concat(pieces) + "\"")),
        (1, Gen.Char['\u0000', '\u00ff'].Array[0, 8].Select(chars => "\"" + new string(chars) + "\"")));

    /// <summary>A JSON-like text: mostly well formed, sometimes not, often hostile.</summary>
    public static Gen<string> Value { get; } = Gen.Recursive<string>((depth, value) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (2, Gen.Int[0, 5].SelectMany(n => Member(value).Array[n]).Select(members => "{" + string.Join(",", members) + "}")),
            (1, value.Array[0, 5].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Member(value).Select(member => "{" + member + "," + member + "}"))));

    /// <summary>A body for a request: hostile JSON, a valid body with random edits, or random bytes (as text).</summary>
    public static Gen<string> Body(params string[] validBodies) => Gen.Frequency(
        (5, Value),
        (3, Gen.OneOf<string>(validBodies).SelectMany(Mutate)),
        (1, Gen.Char.Array[0, 40].Select(chars => new string(chars))));

    private static Gen<string> Member(Gen<string> value)
        => Gen.Select(Gen.OneOf<string>(Keys), value, (key, v) => "\"" + key + "\":" + v);

    /// <summary><paramref name="body"/> with a few random edits: characters deleted, replaced or inserted, or the end cut off.</summary>
    private static Gen<string> Mutate(string body) => Gen.Int[1, 4].SelectMany(edits => Gen.Select(Gen.Int.Array[edits], Gen.Char['\u0000', '\u007f'].Array[edits], (positions, chars) =>
    {
        var text = new StringBuilder(body);
        for (var i = 0; i < edits; i++)
        {
            var at = text.Length == 0 ? 0 : Math.Abs(positions[i] % text.Length);
            switch (Math.Abs(positions[i] / 7 % 4))
            {
                case 0 when text.Length > 0:
                    text.Remove(at, 1);
                    break;
                case 1 when text.Length > 0:
                    text[at] = chars[i];
                    break;
                case 2 when text.Length > 0:
                    text.Length = at;
                    break;
                default:
                    text.Insert(at, chars[i]);
                    break;
            }
        }

        return text.ToString();
    }));
}
