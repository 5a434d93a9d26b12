using System.Text.Json;

namespace LabThings.Client.Internal;

/// <summary>Small reads of JSON members.</summary>
internal static class JsonText
{
    /// <summary>The string member <paramref name="name"/> of an object, or null when it is absent or not a string.</summary>
    public static string? String(JsonElement json, string name)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
