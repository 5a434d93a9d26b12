using System.Globalization;
using System.Text.Json;

namespace LabThings.ClientGenerator.Generation;

/// <summary>Text for XML doc comments, taken from a TD's titles and descriptions.</summary>
internal static class Documentation
{
    /// <summary>
    /// The description of an affordance or schema (its title when it has none), followed with <paramref name="details"/>
    /// by its unit, range and default when it has them; null when it has none of these.
    /// </summary>
    public static string? Of(JsonElement element, bool details = true)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parts = new List<string>();
        if ((Text(element, "description") ?? Text(element, "title")) is { } text)
        {
            parts.Add(Sentence(text));
        }

        if (!details)
        {
            return parts.Count == 0 ? null : parts[0];
        }

        if (Text(element, "unit") is { } unit)
        {
            parts.Add($"Unit: {unit}.");
        }

        var minimum = Number(element, "minimum");
        var maximum = Number(element, "maximum");
        if (minimum is not null || maximum is not null)
        {
            parts.Add(minimum is not null && maximum is not null ? $"From {minimum} to {maximum}." : minimum is not null ? $"At least {minimum}." : $"At most {maximum}.");
        }

        if (element.TryGetProperty("default", out var defaultValue))
        {
            parts.Add($"Default on the Thing: {defaultValue.GetRawText()}.");
        }

        return parts.Count == 0 ? null : string.Join(" ", parts);
    }

    /// <summary>Escapes <paramref name="text"/> for an XML doc comment and splits it into lines.</summary>
    public static IEnumerable<string> Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').Select(line => Escape(line.TrimEnd()));

    /// <summary>Escapes the characters XML gives a meaning to in text (<c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>).</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Sentence(string text)
    {
        text = text.Trim();
        return text.Length == 0 || text.EndsWith('.') || text.EndsWith('!') || text.EndsWith('?') ? text : text + ".";
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString() : null;

    private static string? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString(CultureInfo.InvariantCulture) : null;
}
