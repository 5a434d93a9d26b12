using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Schema;

namespace LabThings.ServerTool;

/// <summary>
/// The JSON Schema of the tool's configuration (<c>labthings-server.schema.json</c>, embedded) and validation of a
/// configuration document against it, with each problem named by its configuration path
/// (<c>LabThings:Things:camera:Type</c>, the spelling environment variables and the command line use too).
/// </summary>
internal static class ConfigurationSchema
{
    /// <summary>The schema's text.</summary>
    public static string Text { get; } = ReadText();

    private static readonly Lazy<SchemaEvaluator> Schema = new(() => new SchemaEvaluator(Text));

    /// <summary>The problems of <paramref name="json"/> (a whole configuration document), each prefixed with <paramref name="source"/>.</summary>
    public static IReadOnlyList<string> Validate(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return [$"{source}: not valid JSON: {ex.Message}"];
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [$"{source}: the configuration must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"];
            }

            return [.. Schema.Value.Evaluate(document.RootElement).SelectMany(Describe).Select(p => $"{source}: {p}").Distinct(StringComparer.Ordinal)];
        }
    }

    private static IEnumerable<string> Describe(SchemaFailure failure)
    {
        var path = ConfigurationPath(failure.Instance);
        var at = string.IsNullOrEmpty(path) ? "(top level)" : path;
        var schema = failure.Schema;
        if (failure.Keyword == "required")
        {
            // One line per missing key, at the key's own path.
            var present = failure.Value is { ValueKind: JsonValueKind.Object } value ? value.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
            foreach (var name in (schema?["required"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().Where(n => !present.Contains(n)))
            {
                yield return $"{(path.Length == 0 ? name : path + ":" + name)}: missing (required)";
            }

            yield break;
        }

        var message = failure.Keyword switch
        {
            "additionalProperties" => "unknown key" + Allowed(schema),
            "type" => SchemaEvaluator.TypeNames(schema?["type"]).FirstOrDefault(t => t != "null") switch
            {
                "string" => "must be a string",
                "integer" => "must be an integer",
                "number" => "must be a number",
                "boolean" => "must be true or false",
                "object" => "must be an object",
                "array" => "must be an array",
                _ => "must be null",
            },
            "enum" => "must be one of " + string.Join(", ", (schema?["enum"] as JsonArray ?? []).Select(SchemaEvaluator.Text)),
            "pattern" => "does not have the expected form" + Hint(schema),
            "minLength" => "must not be empty",
            "minimum" or "exclusiveMinimum" => "is too small" + Hint(schema),
            "format" when schema?["format"]?.GetValue<string>() == "uri" => "must be a URI such as https://dashboard.example",
            "anyOf" or "oneOf" or "allOf" or "$ref" => null,
            _ => Words(failure.Keyword) + Hint(schema),
        };
        if (message is not null)
        {
            yield return $"{at}: {message}";
        }
    }

    private static string Allowed(JsonObject? schema)
    {
        var keys = (schema?["properties"] as JsonObject)?.Select(p => p.Key).Where(k => k != "$schema").ToList();
        return keys is { Count: > 0 } ? $"; allowed here: {string.Join(", ", keys)}" : string.Empty;
    }

    private static string Hint(JsonObject? schema)
        => schema?["description"] is JsonValue d && d.TryGetValue<string>(out var description) && description.Length > 0 ? $" ({description})" : string.Empty;

    /// <summary>A JSON Pointer into the configuration as a configuration path: <c>/LabThings/Things/camera/Type</c> →
    /// <c>LabThings:Things:camera:Type</c>; <c>/LabThings/AllowedHosts/1</c> → <c>LabThings:AllowedHosts:1</c>.</summary>
    internal static string ConfigurationPath(string pointer)
        => string.Join(':', pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(SchemaEvaluator.Unescape));

    private static string Words(string kind)
        => string.Concat(kind.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLower(c, CultureInfo.InvariantCulture) : c.ToString()));

    private static string ReadText()
    {
        using var stream = typeof(ConfigurationSchema).Assembly.GetManifestResourceStream("labthings-server.schema.json")
            ?? throw new InvalidOperationException("The configuration schema is missing from the tool's assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
