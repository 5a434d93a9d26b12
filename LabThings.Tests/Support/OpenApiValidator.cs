using System.Text.Json;

namespace LabThings.Tests.Support;

/// <summary>
/// Validates an OpenAPI document with @apidevtools/swagger-parser (npm, pinned in LabThings.Tests/Interop): against
/// the official OpenAPI JSON Schema, every <c>$ref</c> resolved, through LabThings.Tests/Interop/validate-openapi.mjs.
/// </summary>
internal static class OpenApiValidator
{
    /// <summary>The validation errors; empty when the document is valid.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(string json)
        => JsonSerializer.Deserialize<List<string>>(await NodeScripts.RunAsync("validate-openapi.mjs", json, "@apidevtools/swagger-parser"))!;
}
