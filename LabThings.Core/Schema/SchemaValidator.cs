using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LabThings.Schema;

/// <summary>
/// Checks JSON values against a JSON schema (through <see cref="SchemaEvaluator"/>) and words each failing keyword as
/// a <see cref="ValidationProblem"/>: the field as a JSON Pointer and a message that quotes the schema's bound.
/// Thread-safe once constructed.
/// </summary>
internal sealed class SchemaValidator(JsonObject schema)
{
    private readonly SchemaEvaluator _evaluator = new(schema.ToJsonString());

    /// <summary>Every problem with <paramref name="json"/> (a complete JSON text); empty if it is valid.</summary>
    public IReadOnlyList<ValidationProblem> Validate(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return [new ValidationProblem("", "type", "the value is not valid JSON")];
        }

        using (document)
        {
            if (OutOfRangeNumber(document.RootElement) is { } pointer)
            {
                return [new ValidationProblem(pointer, "type", $"{(pointer.Length == 0 ? "the value" : $"'{Clip(pointer)}'")} is a number out of range")];
            }

            // Listing every failure of a large value costs several times what checking it does (an array of two million
            // numbers with one bad: about 5 s and 2.5 GB allocated, against 1 s to check it): a value made of more than
            // DetailLimit values gets one problem that says so.
            if (!HasAtMost(document.RootElement, DetailLimit))
            {
                return _evaluator.IsValid(document.RootElement)
                    ? []
                    : [new ValidationProblem("", "schema", $"the value does not match its schema (a value made of more than {DetailLimit} values gets no list of each problem)")];
            }

            var failures = _evaluator.Evaluate(document.RootElement);
            if (failures.Count == 0)
            {
                return [];
            }

            var problems = failures.SelectMany(Describe).ToList();

            // A nullable value that failed its non-null alternative also failed "type": "null"; that says nothing new.
            var nonNull = problems.Where(p => p.Rule != NullOnly).Distinct().ToList();
            return nonNull.Count > 0 ? nonNull : [new ValidationProblem("", "type", "the value is not valid")];
        }
    }

    private const string NullOnly = "\0null";

    /// <summary>The most values (the whole, each member and each item, at any depth) a value may hold to have its
    /// problems listed one by one.</summary>
    internal const int DetailLimit = 10_000;

    private static bool HasAtMost(JsonElement element, int limit)
    {
        var count = 0;
        var pending = new Stack<JsonElement>();
        pending.Push(element);
        while (pending.TryPop(out var next))
        {
            if (++count > limit)
            {
                return false;
            }

            if (next.ValueKind == JsonValueKind.Object)
            {
                foreach (var member in next.EnumerateObject())
                {
                    if (count + pending.Count >= limit)
                    {
                        return false;
                    }

                    pending.Push(member.Value);
                }
            }
            else if (next.ValueKind == JsonValueKind.Array)
            {
                if (count + pending.Count + next.GetArrayLength() > limit)
                {
                    return false;
                }

                foreach (var item in next.EnumerateArray())
                {
                    pending.Push(item);
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Where the first number no .NET number type holds is (a JSON Pointer, "" for the whole value), or null. Such a
    /// number is beyond ±1.8e308 (<c>1e400</c> would read as infinity), or an integer written without fraction or
    /// exponent that no 64-bit integer or decimal holds (<c>123456789012345678901234567890</c>: a double would hold it
    /// only rounded). Every validation passes here, so nothing is allocated unless a number is found.
    /// </summary>
    private static string? OutOfRangeNumber(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                var outOfRange = !element.TryGetDouble(out var value) || !double.IsFinite(value)
                    || (!element.TryGetInt64(out _) && !element.TryGetUInt64(out _) && !element.TryGetDecimal(out _)
                        && element.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0);
                return outOfRange ? "" : null;
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    if (OutOfRangeNumber(member.Value) is { } rest)
                    {
                        return "/" + Escape(member.Name) + rest;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (OutOfRangeNumber(item) is { } rest)
                    {
                        return "/" + index.ToString(CultureInfo.InvariantCulture) + rest;
                    }

                    index++;
                }

                return null;
            default:
                return null;
        }
    }

    private static List<ValidationProblem> Describe(SchemaFailure failure)
    {
        var field = Clip(failure.Instance);
        var at = field.Length == 0 ? "the value" : $"'{field}'";
        var s = failure.Schema;
        var instance = failure.Value;
        var message = failure.Message;
        string Value(string name) => s?[name] is { } v ? SchemaEvaluator.Text(v) : "?";
        switch (failure.Keyword)
        {
            case "type":
                var types = SchemaEvaluator.TypeNames(s?["type"]);
                if (types.Count == 1 && types[0] == "null")
                {
                    return [new(field, NullOnly, "")];
                }

                return [new(field, "type", $"{at} must be {TypeName(types)}")];
            case "required":
                var present = instance is { ValueKind: JsonValueKind.Object } obj ? obj.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
                return (s?["required"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().Where(n => !present.Contains(n))
                    .Select(n =>
                    {
                        var missing = Clip(field + "/" + Escape(n));
                        return new ValidationProblem(missing, "required", $"'{missing}' is required");
                    }).ToList();
            case "additionalProperties":
                return [new(field, "additionalProperties", $"{at} is not a known field")];
            case "minimum":
                return [new(field, "minimum", $"{at} must be at least {Value("minimum")}")];
            case "maximum":
                return [new(field, "maximum", $"{at} must be at most {Value("maximum")}")];
            case "exclusiveMinimum":
                return [new(field, "exclusiveMinimum", $"{at} must be greater than {Value("exclusiveMinimum")}")];
            case "exclusiveMaximum":
                return [new(field, "exclusiveMaximum", $"{at} must be less than {Value("exclusiveMaximum")}")];
            case "multipleOf":
                return [new(field, "multipleOf", $"{at} must be a multiple of {Value("multipleOf")}")];
            case "minLength":
                return [new(field, "minLength", $"{at} must be at least {Value("minLength")} characters long")];
            case "maxLength":
                return [new(field, "maxLength", $"{at} must be at most {Value("maxLength")} characters long")];
            case "pattern":
                return [new(field, "pattern", $"{at} must match the pattern {Value("pattern")}")];
            case "enum":
                var values = s?["enum"] as JsonArray ?? [];
                return [new(field, "enum", $"{at} must be one of {string.Join(", ", values.Select(SchemaEvaluator.Text))}")];
            case "minItems":
                return [new(field, "minItems", $"{at} must have at least {Value("minItems")} items")];
            case "maxItems":
                return [new(field, "maxItems", $"{at} must have at most {Value("maxItems")} items")];
            case "format":
                return [new(field, "format", $"{at} must be in the {Value("format")} format")];
            case "anyOf" or "oneOf" or "allOf" or "$ref":
                return []; // the alternatives' own problems say what is wrong
            default:
                return [new(field, failure.Keyword.Length == 0 ? "schema" : failure.Keyword, $"{at} is not valid ({message})")];
        }
    }

    private static readonly string[] TypeOrder = ["array", "boolean", "integer", "null", "number", "object", "string"];

    private static string TypeName(IReadOnlyList<string> types)
    {
        var names = TypeOrder.Where(types.Contains).ToList();
        return names.Count == 0 ? "of the right type" : string.Join(" or ", names.Select(n => (n[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + n));
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>A name from the value, cut to 100 characters: a problem must not echo a huge name whole.</summary>
    private static string ClipSegment(string segment)
        => segment.Length <= 100 ? segment : string.Concat(segment.AsSpan(0, char.IsHighSurrogate(segment[98]) ? 98 : 99), "…");

    private static string Clip(string pointer)
        => pointer.Length == 0 ? "" : "/" + string.Join('/', pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(ClipSegment));
}
