using System.Text.Json.Nodes;

namespace LabThings.Tests.Support;

/// <summary>Follows <c>$ref</c>s of an OpenAPI document to the component schemas they name.</summary>
internal static class OpenApiRefs
{
    public static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var id = reference["#/components/schemas/".Length..];
            schema = document["components"]!["schemas"]![id] ?? throw new InvalidOperationException($"{reference} names no component");
        }

        return schema;
    }
}
