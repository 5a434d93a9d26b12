using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace LabThings.Server.OpenApi;

/// <summary>Turns the JSON schemas of the affordance model into OpenAPI schemas, so OpenAPI and the TD show the same schema.</summary>
internal static class OpenApiSchemas
{
    public static OpenApiSchema From(JsonObject schema, OpenApiDocument document)
        => OpenApiModelFactory.Parse<OpenApiSchema>(schema.ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document, out _, "json") ?? new OpenApiSchema();
}
