using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Infrastructure;
using NJsonSchema.Validation;

namespace LabThings.Schema;

/// <summary>
/// The one seam for validating JSON values against a JSON schema (NJsonSchema; its Newtonsoft.Json
/// dependency stays in this class). Thread-safe once constructed.
/// </summary>
internal sealed class SchemaValidator
{
    private readonly JsonSchema _schema;

    public SchemaValidator(JsonObject schema)
    {
        _schema = JsonSchemaSerialization.FromJson<JsonSchema>(
            schema.ToJsonString(),
            JsonSchema.CreateJsonSerializerContractResolver(SchemaType.JsonSchema))
            ?? throw new InvalidOperationException("The schema could not be read.");
    }

    /// <summary>Every problem with <paramref name="json"/> (a complete JSON text); empty if it is valid.</summary>
    public IReadOnlyList<ValidationProblem> Validate(string json)
    {
        if (OutOfRangeNumber(json) is { } outOfRange)
        {
            return [outOfRange];
        }

        ICollection<ValidationError> errors;
        try
        {
            errors = _schema.Validate(json);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or ArgumentException or Newtonsoft.Json.JsonException)
        {
            // NJsonSchema cannot compare numbers beyond 64 bits (or decimal) with the schema's bounds; no LabThings value
            // type holds them either.
            return [new ValidationProblem("", "type", $"the value holds a number too large to use ({ex.GetType().Name})")];
        }

        if (errors.Count == 0)
        {
            return [];
        }

        var problems = new List<ValidationProblem>();
        Flatten(errors, problems);
        return problems.Distinct().ToList();
    }

    /// <summary>A number no .NET number type holds (beyond ±1.8e308, such as <c>1e400</c>), which NJsonSchema would pass as infinity.</summary>
    private static ValidationProblem? OutOfRangeNumber(string json)
    {
        // Every validation passes here: scan the tokens without building a document, and find the field only when
        // there is something to report.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            if (!HasOutOfRangeNumber(buffer.AsSpan(0, length)))
            {
                return null;
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            return OutOfRangeNumber(document.RootElement, "");
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool HasOutOfRangeNumber(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && (!reader.TryGetDouble(out var value) || !double.IsFinite(value)))
            {
                return true;
            }
        }

        return false;
    }

    private static ValidationProblem? OutOfRangeNumber(JsonElement element, string pointer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when !element.TryGetDouble(out var value) || !double.IsFinite(value):
                return new ValidationProblem(pointer, "type", $"{(pointer.Length == 0 ? "the value" : $"'{pointer}'")} is a number out of range");
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    if (OutOfRangeNumber(member.Value, pointer + "/" + member.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (OutOfRangeNumber(item, pointer + "/" + index++.ToString(CultureInfo.InvariantCulture)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static void Flatten(IEnumerable<ValidationError> errors, List<ValidationProblem> problems)
    {
        foreach (var error in errors)
        {
            if (error is MultiTypeValidationError multi && multi.Errors.Count > 0)
            {
                // A nullable type ("type": ["array", "null"]): report why the non-null type failed.
                var nested = multi.Errors.Values.SelectMany(e => e).Where(e => e.Kind != ValidationErrorKind.NullExpected).ToList();
                if (nested.Count > 0)
                {
                    Flatten(nested, problems);
                    continue;
                }
            }

            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                // oneOf/anyOf (e.g. nullable objects): report what the non-null alternatives said.
                var nested = child.Errors.Values.SelectMany(e => e).Where(e => e.Kind != ValidationErrorKind.NullExpected).ToList();
                if (nested.Count > 0)
                {
                    Flatten(nested, problems);
                    continue;
                }
            }

            problems.Add(Describe(error));
        }
    }

    private static ValidationProblem Describe(ValidationError error)
    {
        var field = Pointer(error.Path);
        var at = field.Length == 0 ? "the value" : $"'{field}'";
        var s = error.Schema;
        string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";
        return error.Kind switch
        {
            ValidationErrorKind.StringExpected or ValidationErrorKind.NumberExpected or ValidationErrorKind.IntegerExpected
                or ValidationErrorKind.BooleanExpected or ValidationErrorKind.ObjectExpected or ValidationErrorKind.ArrayExpected
                or ValidationErrorKind.NullExpected or ValidationErrorKind.NoTypeValidates
                => new(field, "type", $"{at} must be {TypeName(s)}"),
            ValidationErrorKind.PropertyRequired => new(field, "required", $"{at} is required"),
            ValidationErrorKind.NoAdditionalPropertiesAllowed => new(field, "additionalProperties", $"{at} is not a known field"),
            ValidationErrorKind.NumberTooSmall => s.IsExclusiveMinimum || s.ExclusiveMinimum is not null
                ? new(field, "exclusiveMinimum", $"{at} must be greater than {Number(s.ExclusiveMinimum ?? s.Minimum)}")
                : new(field, "minimum", $"{at} must be at least {Number(s.Minimum)}"),
            ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => s.IsExclusiveMaximum || s.ExclusiveMaximum is not null
                ? new(field, "exclusiveMaximum", $"{at} must be less than {Number(s.ExclusiveMaximum ?? s.Maximum)}")
                : new(field, "maximum", $"{at} must be at most {Number(s.Maximum)}"),
            ValidationErrorKind.NumberNotMultipleOf or ValidationErrorKind.IntegerNotMultipleOf
                => new(field, "multipleOf", $"{at} must be a multiple of {Number(s.MultipleOf)}"),
            ValidationErrorKind.StringTooShort => new(field, "minLength", $"{at} must be at least {s.MinLength} characters long"),
            ValidationErrorKind.StringTooLong => new(field, "maxLength", $"{at} must be at most {s.MaxLength} characters long"),
            ValidationErrorKind.PatternMismatch => new(field, "pattern", $"{at} must match the pattern {s.Pattern}"),
            ValidationErrorKind.NotInEnumeration => new(field, "enum", $"{at} must be one of {string.Join(", ", s.Enumeration.Select(v => v?.ToString() ?? "null"))}"),
            ValidationErrorKind.TooFewItems => new(field, "minItems", $"{at} must have at least {s.MinItems} items"),
            ValidationErrorKind.TooManyItems => new(field, "maxItems", $"{at} must have at most {s.MaxItems} items"),
            _ => new(field, error.Kind.ToString(), $"{at} is not valid ({error.Kind})"),
        };
    }

    private static string TypeName(JsonSchema schema)
    {
        var names = Enum.GetValues<JsonObjectType>()
            .Where(t => t != JsonObjectType.None && schema.Type.HasFlag(t))
            .Select(t => t.ToString().ToLowerInvariant())
            .ToList();
        return names.Count == 0 ? "of the right type" : string.Join(" or ", names.Select(n => (n[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + n));
    }

    /// <summary>NJsonSchema paths look like <c>#/position.x</c> or <c>#/[0]</c>; turn them into JSON Pointers.</summary>
    /// <summary>A name from the value, cut to 100 characters: a problem must not echo a huge name whole.</summary>
    private static string ClipSegment(string segment)
        => segment.Length <= 100 ? segment : string.Concat(segment.AsSpan(0, char.IsHighSurrogate(segment[98]) ? 98 : 99), "…");

    private static string Pointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#" || path == "#/")
        {
            return "";
        }

        var trimmed = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        var segments = trimmed.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal)
            .Split('.', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', segments.Select(ClipSegment));
    }
}
