using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace LabThings.Schema;

/// <summary>One keyword a JSON value failed: where in the value, which keyword, and the schema object that holds it.</summary>
/// <param name="Instance">JSON Pointer to the failing part of the value ("" for the whole value), segments escaped.</param>
/// <param name="Keyword">The keyword, or <c>additionalProperties</c> for a name the schema does not allow.</param>
/// <param name="Message">The library's own wording, for keywords nobody words for it.</param>
/// <param name="Schema">The schema object the keyword is in (local <c>$ref</c>s followed), or null if it cannot be found.</param>
/// <param name="Value">The failing part of the value.</param>
internal sealed record SchemaFailure(string Instance, string Keyword, string Message, JsonObject? Schema, JsonElement? Value);

/// <summary>
/// The one seam for JSON Schema evaluation (JsonSchema.Net, built on System.Text.Json): compiles a schema once and
/// lists every keyword a value fails, leaving out failures under a keyword that passed as a whole (the branch of an
/// anyOf a value did not take). Callers word the problems. Thread-safe once constructed.
/// </summary>
internal sealed class SchemaEvaluator
{
    // Flag answers valid or not and is about five times cheaper than List on a large array; List runs only when there is
    // something to report.
    private static readonly EvaluationOptions Flag = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private static readonly EvaluationOptions List = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly JsonSchema _schema;
    private readonly JsonObject _root;

    /// <summary>Compiles <paramref name="schema"/> (draft 2020-12 unless it says otherwise).</summary>
    /// <exception cref="JsonException">The schema is not a JSON Schema.</exception>
    public SchemaEvaluator(string schema)
    {
        _root = JsonNode.Parse(schema, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
            ?? throw new JsonException("A JSON Schema here must be an object.");
        _schema = JsonSchema.FromText(_root.ToJsonString());
    }

    /// <summary>Whether <paramref name="value"/> is valid, without listing what fails.</summary>
    public bool IsValid(JsonElement value) => _schema.Evaluate(value, Flag).IsValid;

    /// <summary>Every keyword <paramref name="value"/> fails; empty if it is valid.</summary>
    public IReadOnlyList<SchemaFailure> Evaluate(JsonElement value)
    {
        if (IsValid(value))
        {
            return [];
        }

        var results = _schema.Evaluate(value, List);

        // The list holds every subschema's result, also those under a keyword that passed as a whole: a failure counts
        // only if no schema above it passed. Above means at a prefix of its evaluation path and of its instance
        // location (one "items" schema is evaluated once per array item, at the same evaluation path). A set and the
        // prefixes keep this linear in the number of results.
        var details = results.Details ?? [];
        var passed = details.Where(d => d.IsValid).Select(d => (d.EvaluationPath.ToString(), d.InstanceLocation.ToString())).ToHashSet();
        var failures = new List<SchemaFailure>();
        foreach (var detail in details)
        {
            var path = detail.EvaluationPath.ToString();
            var instance = detail.InstanceLocation.ToString();
            if (detail.Errors is not { Count: > 0 } errors || UnderPassed(path, instance, passed))
            {
                continue;
            }

            var schema = Walk(path) as JsonObject;
            var part = detail.InstanceLocation.Evaluate(value);
            foreach (var (keyword, message) in errors)
            {
                // A name additionalProperties: false refuses is reported at that name, as the false schema failing.
                var named = keyword is "" or "false" && path.EndsWith("/additionalProperties", StringComparison.Ordinal) ? "additionalProperties" : keyword;
                var holder = named == "additionalProperties" && keyword != named ? Walk(path[..path.LastIndexOf('/')]) as JsonObject : schema;
                failures.Add(new SchemaFailure(instance, named, message, holder, part));
            }
        }

        return failures;
    }

    /// <summary>A schema value as a person reads it: a string without quotes or escapes, anything else as JSON.</summary>
    public static string Text(JsonNode? value)
        => value is null ? "null" : value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();

    /// <summary>The names in a <c>type</c> keyword (a string or an array of strings).</summary>
    public static IReadOnlyList<string> TypeNames(JsonNode? type) => type switch
    {
        JsonValue v when v.TryGetValue<string>(out var one) => [one],
        JsonArray many => many.Select(t => t?.GetValue<string>()).OfType<string>().ToList(),
        _ => [],
    };

    /// <summary>Unescapes one JSON Pointer segment.</summary>
    public static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static bool UnderPassed(string schemaPath, string instancePath, HashSet<(string, string)> passed)
    {
        for (var s = schemaPath.Length; s >= 0; s = s == 0 ? -1 : schemaPath.LastIndexOf('/', s - 1))
        {
            for (var i = instancePath.Length; i >= 0; i = i == 0 ? -1 : instancePath.LastIndexOf('/', i - 1))
            {
                if (passed.Contains((schemaPath[..s], instancePath[..i])))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The schema object at an evaluation path (<c>/properties/a/anyOf/0/$ref/properties/b</c>). Follows local
    /// <c>$ref</c>s; a segment the schema does not have (the library repeats <c>items</c>, for one) is skipped.
    /// </summary>
    private JsonNode? Walk(string evaluationPath)
    {
        JsonNode? node = _root;
        foreach (var raw in evaluationPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Unescape(raw);
            if (segment == "$ref" && node is JsonObject withRef && withRef["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/", StringComparison.Ordinal))
            {
                node = _root;
                foreach (var part in reference[2..].Split('/'))
                {
                    node = node is JsonObject o ? o[Unescape(part)] : null;
                }
            }
            else if (node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child))
            {
                node = child;
            }
            else if (node is JsonArray array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count)
            {
                node = array[index];
            }
        }

        return node;
    }
}
