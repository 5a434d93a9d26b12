using System.Text.Json;

namespace LabThings.Tests.Support;

/// <summary>
/// Validates JSON against the official W3C TD 1.1 JSON Schema (npm wot-thing-description-types@1.1.0-12-March-2025)
/// with ajv, through LabThings.Tests/Interop/validate-td.mjs. NJsonSchema is not used here: it ignores <c>const</c>, so the
/// schema's <c>oneOf</c> of link kinds rejects valid TDs.
/// </summary>
internal static class TdSchema
{
    /// <summary>The validation errors, one line each; empty when the document is a valid TD 1.1.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(string json)
        => (await ValidateManyAsync([json]))[0];

    /// <summary>Validates several documents in one run of the validator.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> ValidateManyAsync(IReadOnlyList<string> documents)
    {
        var output = await NodeScripts.RunAsync("validate-td.mjs", "[" + string.Join(",", documents) + "]", "ajv");
        return JsonSerializer.Deserialize<List<List<string>>>(output)!;
    }
}
