using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace LabThings.Tests.Support;

/// <summary>The node-wot Thing of Interop/wot-servient.mjs, running in a node process on 127.0.0.1 until disposed.</summary>
public sealed class NodeWotServient : IAsyncDisposable
{
    private readonly Process _node;

    private NodeWotServient(Process node, Uri td)
    {
        _node = node;
        Td = td;
    }

    /// <summary>The URL of the Thing's TD.</summary>
    public Uri Td { get; }

    public static async Task<NodeWotServient> StartAsync(ITestOutputHelper? output = null)
    {
        RepositoryPaths.RequireFile(
            Path.Combine(NodeScripts.Folder, "node_modules", "@node-wot", "binding-http", "package.json"),
            "node-wot is installed by scripts/test.sh (or 'npm ci' in LabThings.Tests/Interop)");
        var start = new ProcessStartInfo("node", "wot-servient.mjs")
        {
            WorkingDirectory = NodeScripts.Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output?.WriteLine("servient: " + e.Data);
            }
        };
        node.BeginErrorReadLine();
        var line = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException("wot-servient.mjs ended before printing its TD's URL.");
        using var started = JsonDocument.Parse(line);
        return new NodeWotServient(node, new Uri(started.RootElement.GetProperty("td").GetString()!));
    }

    public async ValueTask DisposeAsync()
    {
        _node.StandardInput.Close();
        try
        {
            await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _node.Kill(entireProcessTree: true);
        }

        _node.Dispose();
    }
}
