using System.Text.Json.Nodes;
using LabThings.Model;

namespace LabThings.Description;

/// <summary>
/// The responses a form gives besides its default one, and the data schemas they name in the TD's
/// <c>schemaDefinitions</c>: an action invocation (the 201 of the labthings-fastapi form, what queryaction and
/// cancelaction answer) and RFC 9457 problem details (every refusal).
/// </summary>
internal static class ResponseSchemas
{
    /// <summary>The name of the invocation's schema in <c>schemaDefinitions</c>.</summary>
    public const string Invocation = "invocation";

    /// <summary>The name of the problem details' schema in <c>schemaDefinitions</c>.</summary>
    public const string Problem = "problem";

    /// <summary>A successful response that is an invocation to follow, not the output.</summary>
    public static AdditionalResponse InvocationResponse { get; } = new(true, "application/json", Invocation);

    /// <summary>A refusal, as problem details.</summary>
    public static AdditionalResponse ProblemResponse { get; } = new(false, "application/problem+json", Problem);

    /// <summary>The schemas a Thing's forms name: the invocation when it has actions, problem details when it has actions or writable properties; null when none.</summary>
    public static IReadOnlyDictionary<string, JsonObject>? For(ThingDefinition definition)
    {
        var schemas = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (definition.Actions.Any())
        {
            schemas[Invocation] = InvocationSchema();
        }

        if (definition.Actions.Any() || definition.Properties.Any(p => p.IsWritable))
        {
            schemas[Problem] = ProblemSchema();
        }

        return schemas.Count > 0 ? schemas : null;
    }

    private static JsonObject InvocationSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "An action invocation: poll its href until status is completed, cancelled or error",
        ["properties"] = new JsonObject
        {
            ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("pending", "running", "completed", "cancelled", "error") },
            ["id"] = new JsonObject { ["type"] = "string" },
            ["action"] = new JsonObject { ["type"] = "string", ["description"] = "The action's path" },
            ["href"] = new JsonObject { ["type"] = "string", ["format"] = "uri", ["description"] = "Where to query the invocation" },
            ["progress"] = new JsonObject
            {
                ["description"] = "Fraction done, from 0 to 1, when the action reports it",
                ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "number", ["minimum"] = 0, ["maximum"] = 1 }, new JsonObject { ["type"] = "null" }),
            },
            ["output"] = new JsonObject { ["description"] = "The action's output once completed, as its output schema says" },
            ["error"] = new JsonObject { ["description"] = "Problem details once the invocation ended with an error, else null" },
        },
        ["required"] = new JsonArray("status", "id", "href"),
    };

    /// <summary>RFC 9457 problem details as every refusal is answered; the TD's <c>schemaDefinitions</c> and the OpenAPI document both use it.</summary>
    public static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["description"] = "A URI identifying the kind of problem" },
            ["title"] = new JsonObject { ["type"] = "string", ["description"] = "A short summary of the kind of problem" },
            ["status"] = new JsonObject { ["type"] = "integer", ["description"] = "The HTTP status code" },
            ["detail"] = new JsonObject { ["type"] = "string", ["description"] = "What went wrong this time" },
            ["errors"] = new JsonObject
            {
                ["type"] = "array",
                ["description"] = "For 422: each offending field, the rule it broke and why",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["field"] = new JsonObject { ["type"] = "string", ["description"] = "A JSON Pointer into the value; empty for the whole value" },
                        ["rule"] = new JsonObject { ["type"] = "string", ["description"] = "The schema keyword that failed" },
                        ["message"] = new JsonObject { ["type"] = "string" },
                    },
                },
            },
        },
        ["required"] = new JsonArray("title", "status"),
    };
}
