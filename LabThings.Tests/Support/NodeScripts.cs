using System.Diagnostics;

namespace LabThings.Tests.Support;

/// <summary>Runs the Node.js scripts in LabThings.Tests/Interop (their npm packages are installed by scripts/test.sh).</summary>
internal static class NodeScripts
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "LabThings.Tests", "Interop");

    /// <summary>Runs <paramref name="script"/> with <paramref name="input"/> on stdin and returns its stdout; it must exit with 0 within a minute.</summary>
    /// <param name="script">The script's file name in the Interop folder.</param>
    /// <param name="input">What to write to its stdin.</param>
    /// <param name="package">An npm package the script needs, checked first for a clear message when it is missing.</param>
    /// <param name="arguments">The script's command-line arguments.</param>
    public static Task<string> RunAsync(string script, string input, string package, params string[] arguments)
        => RunAsync(script, input, package, TimeSpan.FromSeconds(60), arguments);

    /// <summary>Runs <paramref name="script"/> like <see cref="RunAsync(string, string, string, string[])"/>, allowing it <paramref name="timeout"/>; past it the script (and whatever it started) is ended.</summary>
    /// <param name="script">The script's file name in the Interop folder.</param>
    /// <param name="input">What to write to its stdin.</param>
    /// <param name="package">An npm package the script needs, checked first for a clear message when it is missing.</param>
    /// <param name="timeout">How long the script may take.</param>
    /// <param name="arguments">The script's command-line arguments.</param>
    public static async Task<string> RunAsync(string script, string input, string package, TimeSpan timeout, params string[] arguments)
    {
        RepositoryPaths.RequireFile(
            Path.Combine(Folder, "node_modules", package, "package.json"),
            $"the npm package {package} is installed by scripts/test.sh (or 'npm ci' in LabThings.Tests/Interop)");
        var start = new ProcessStartInfo("node", [script, .. arguments])
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        await node.StandardInput.WriteAsync(input);
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            throw new TimeoutException($"{script} did not finish within {timeout.TotalSeconds} s: {await errors}");
        }

        node.ExitCode.Should().Be(0, $"{script} should run: {await errors}");
        return await output;
    }
}
