using System.Diagnostics;
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
        var interop = Path.Combine(RepositoryPaths.Root, "LabThings.Tests", "Interop");
        RepositoryPaths.RequireFile(
            Path.Combine(interop, "node_modules", "ajv", "package.json"),
            "the TD validator's npm packages are installed by scripts/test.sh (or 'npm ci' in LabThings.Tests/Interop)");
        var start = new ProcessStartInfo("node", "validate-td.mjs")
        {
            WorkingDirectory = interop,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        await node.StandardInput.WriteAsync("[" + string.Join(",", documents) + "]");
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        node.ExitCode.Should().Be(0, $"the validator should run: {await errors}");
        return JsonSerializer.Deserialize<List<List<string>>>(await output)!;
    }
}
