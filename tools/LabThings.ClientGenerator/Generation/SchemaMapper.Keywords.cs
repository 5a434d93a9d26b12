using System.Globalization;
using System.Text.Json;

namespace LabThings.ClientGenerator.Generation;

/// <summary>The JSON Schema keywords the mapping reads: references, nullability, types, bounds, required members.</summary>
internal sealed partial class SchemaMapper
{
    /// <summary>Resolves a fragment-only JSON Pointer reference (<c>#/a/b</c>) within <paramref name="root"/>.</summary>
    private static JsonElement? Pointer(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>
    /// Whether the schema allows null besides another type: <c>type: [T, "null"]</c>, <c>nullable: true</c>, or a
    /// <c>oneOf</c>/<c>anyOf</c> of one schema and <c>{"type": "null"}</c> (then <paramref name="inner"/> is that schema).
    /// </summary>
    private static bool NullableInner(JsonElement schema, out JsonElement? inner)
    {
        inner = null;
        if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
        {
            var types = type.EnumerateArray().Select(t => t.GetString()).ToList();
            return types.Contains("null") && types.Count == 2;
        }

        if (schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            return true;
        }

        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var options) && options.ValueKind == JsonValueKind.Array && options.GetArrayLength() == 2)
            {
                var others = options.EnumerateArray().Where(o => !(o.ValueKind == JsonValueKind.Object && Text(o, "type") == "null")).ToList();
                if (others.Count == 1)
                {
                    inner = others[0];
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The schema's <c>type</c> (with <paramref name="exceptNull"/>, the one besides <c>"null"</c> in a type array).</summary>
    private static string? TypeOf(JsonElement schema, bool exceptNull)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString();
        }

        if (exceptNull && type.ValueKind == JsonValueKind.Array)
        {
            var others = type.EnumerateArray().Select(t => t.GetString()).Where(t => t != "null").ToList();
            return others.Count == 1 ? others[0] : null;
        }

        return null;
    }

    private static bool FitsInt(JsonElement schema)
    {
        static double? Bound(JsonElement schema, string inclusive, string exclusive) =>
            schema.TryGetProperty(inclusive, out var b) && b.ValueKind == JsonValueKind.Number ? b.GetDouble()
            : schema.TryGetProperty(exclusive, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble()
            : null;

        var minimum = Bound(schema, "minimum", "exclusiveMinimum");
        var maximum = Bound(schema, "maximum", "exclusiveMaximum");
        return minimum >= int.MinValue && maximum <= int.MaxValue;
    }

    private static HashSet<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];

    private static string? Text(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A name for one item of a list called <paramref name="plural"/>: <c>Sizes</c> → <c>Size</c>, <c>Entries</c> → <c>Entry</c>, else <c>…Item</c>.</summary>
    internal static string Singular(string plural)
    {
        if (plural.Length > 4 && plural.EndsWith("ies", StringComparison.Ordinal))
        {
            return plural[..^3] + "y";
        }

        if (plural.Length > 3 && plural.EndsWith('s') && !plural.EndsWith("ss", StringComparison.Ordinal) && !plural.EndsWith("us", StringComparison.Ordinal) && !plural.EndsWith("is", StringComparison.Ordinal))
        {
            return plural[..^1];
        }

        return plural + "Item";
    }
}
