using System.Globalization;
using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Validation;

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

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromJsonAsync(Text).GetAwaiter().GetResult());

    /// <summary>The problems of <paramref name="json"/> (a whole configuration document), each prefixed with <paramref name="source"/>.</summary>
    public static IReadOnlyList<string> Validate(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [$"{source}: the configuration must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"];
            }
        }
        catch (JsonException ex)
        {
            return [$"{source}: not valid JSON: {ex.Message}"];
        }

        var errors = Schema.Value.Validate(json);
        return [.. Flatten(errors).Select(e => $"{source}: {Describe(e)}").Distinct(StringComparer.Ordinal)];
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var inner in Flatten(child.Errors.SelectMany(e => e.Value)))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return error;
            }
        }
    }

    private static string Describe(ValidationError error)
    {
        var path = ConfigurationPath(error.Path);
        var at = string.IsNullOrEmpty(path) ? "(top level)" : path;
        var message = error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "unknown key" + Allowed(error),
            ValidationErrorKind.PropertyRequired => "missing (required)",
            ValidationErrorKind.StringExpected => "must be a string",
            ValidationErrorKind.IntegerExpected => "must be an integer",
            ValidationErrorKind.NumberExpected => "must be a number",
            ValidationErrorKind.BooleanExpected => "must be true or false",
            ValidationErrorKind.ObjectExpected => "must be an object",
            ValidationErrorKind.ArrayExpected => "must be an array",
            ValidationErrorKind.NullExpected => "must be null",
            ValidationErrorKind.NotInEnumeration => "must be one of " + string.Join(", ", error.Schema?.Enumeration.Select(v => v?.ToString()) ?? []),
            ValidationErrorKind.PatternMismatch => "does not have the expected form" + Hint(error),
            ValidationErrorKind.StringTooShort => "must not be empty",
            ValidationErrorKind.NumberTooSmall => "is too small" + Hint(error),
            ValidationErrorKind.UriExpected => "must be a URI such as https://dashboard.example",
            _ => Words(error.Kind.ToString()) + Hint(error),
        };
        return $"{at}: {message}";
    }

    private static string Allowed(ValidationError error)
    {
        var keys = error.Schema?.ActualSchema.Properties.Keys.Where(k => k != "$schema").ToList();
        return keys is { Count: > 0 } ? $"; allowed here: {string.Join(", ", keys)}" : string.Empty;
    }

    private static string Hint(ValidationError error)
        => error.Schema?.ActualSchema.Description is { Length: > 0 } description ? $" ({description})" : string.Empty;

    /// <summary><c>#/LabThings.Things.camera.Type</c> → <c>LabThings:Things:camera:Type</c>; <c>[0]</c> → <c>:0</c>.</summary>
    internal static string ConfigurationPath(string? schemaPath)
    {
        if (string.IsNullOrEmpty(schemaPath))
        {
            return string.Empty;
        }

        var path = schemaPath.StartsWith("#/", StringComparison.Ordinal) ? schemaPath[2..] : schemaPath.TrimStart('#');
        return path.Replace("].", "]", StringComparison.Ordinal)
            .Replace('.', ':')
            .Replace("[", ":", StringComparison.Ordinal)
            .Replace("]", string.Empty, StringComparison.Ordinal);
    }

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
