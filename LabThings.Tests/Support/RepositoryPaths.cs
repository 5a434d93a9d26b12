namespace LabThings.Tests.Support;

/// <summary>Files of the repository the tests need (found by walking up to LabThings.sln).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The official W3C TD 1.1 JSON Schema, from the npm package installed by scripts/test.sh.</summary>
    public static string TdSchema => RequireFile(
        Path.Combine(Root, "LabThings.Tests", "Interop", "node_modules", "wot-thing-description-types", "schema", "td-json-schema-validation.json"),
        "the W3C TD 1.1 JSON Schema is installed by npm: run scripts/test.sh (or 'npm ci' in LabThings.Tests/Interop)");

    public static string RequireFile(string path, string hint)
        => File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: {hint}.", path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LabThings.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find LabThings.sln above " + AppContext.BaseDirectory);
    }
}
