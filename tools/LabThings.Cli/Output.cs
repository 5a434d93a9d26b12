using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LabThings.Cli;

/// <summary>How values are printed: JSON for scripts, text for people.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value as one line of JSON (for <c>--json</c>, and JSON lines).</summary>
    public static string Json(JsonElement value) => value.ValueKind == JsonValueKind.Undefined ? "null" : JsonSerializer.Serialize(value, Compact);

    /// <summary>Any object as one line of JSON.</summary>
    public static string Json<T>(T value) => JsonSerializer.Serialize(value, Compact);

    /// <summary>The value as indented JSON.</summary>
    public static string Pretty(JsonElement value) => JsonSerializer.Serialize(value, Indented);

    /// <summary>
    /// The value for people: a string as its text, a number or boolean as it is, followed by the schema's unit;
    /// an object or array as indented JSON (<paramref name="multiline"/>) or one line; binary content (a base64
    /// string the schema marks as such) as its media type and size.
    /// </summary>
    public static string Text(JsonElement value, JsonElement schema, bool multiline = true)
    {
        var unit = String(schema, "unit") is { Length: > 0 } u ? " " + u : "";
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (String(schema, "contentEncoding") == "base64" && String(schema, "contentMediaType") is { } mediaType && TryBase64Length(text, out var length))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"({mediaType}, {length} bytes; --json prints them as base64)");
                }

                return text + unit;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return value.GetRawText() + unit;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return "null";
            default:
                return multiline ? Pretty(value) : Json(value);
        }
    }

    /// <summary>A string member of a JSON object, or null.</summary>
    public static string? String(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A member of a JSON object, or <see cref="JsonValueKind.Undefined"/>.</summary>
    public static JsonElement Member(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return default;
            }
        }

        return element;
    }

    private static bool TryBase64Length(string text, out int length)
    {
        var buffer = new byte[text.Length * 3 / 4 + 3];
        var ok = Convert.TryFromBase64String(text, buffer, out length);
        return ok;
    }
}
