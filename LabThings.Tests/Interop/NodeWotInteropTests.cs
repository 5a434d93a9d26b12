using System.Diagnostics;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LabThings.Tests.Interop;

/// <summary>
/// Interoperability with Eclipse Thingweb node-wot (@node-wot/core and @node-wot/binding-http, pinned in
/// LabThings.Tests/Interop/package-lock.json): LabThings.Tests/Interop/wot-client.mjs consumes every example TD and reads, writes and
/// invokes through the forms node-wot chooses itself.
/// </summary>
public sealed class NodeWotInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NodeWotConsume_ExampleServer_ReadsWritesAndInvokesThroughTheTds()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var camera = server.Services.GetRequiredService<LabThings.Examples.SyntheticCamera>();
        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 0, TimeSpan.FromSeconds(10))).Should().BeTrue("the stream's snapshot needs a frame");

        var (exitCode, stdout, stderr) = await RunWotClientAsync(server.BaseAddress);

        output.WriteLine(stdout);
        output.WriteLine(stderr);
        exitCode.Should().Be(0, $"wot-client.mjs should report no failures: {stderr}");
        var summary = JsonNode.Parse(stdout)!;
        summary["failures"]!.AsArray().Should().BeEmpty();

        var things = summary["things"]!.AsObject();
        things.Select(t => t.Key).Should().BeEquivalentTo("camera", "counter", "light", "stage", "autofocus");
        things["light"]!["properties"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("brightness", "is_on", "status");
        things["camera"]!["properties"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("frame_rate", "frame_count", "stream");
        var stream = things["camera"]!["properties"]!["stream"]!;
        stream["contentType"]!.GetValue<string>().Should().Be("image/jpeg");
        stream["value"]!.GetValue<string>().Should().StartWith("(a string of", "readProperty(\"stream\").value() answers, as the data schema allows");
        stream["firstBytes"]!.GetValue<string>().Should().Be("ffd8");
        things["counter"]!["properties"]!["counter"]!["value"]!.GetValue<int>().Should().Be(0);

        var checks = summary["checks"]!;
        checks["lightBrightness"]!["readBack"]!.GetValue<int>().Should().Be(37);
        checks["cameraFrameRate"]!["readBack"]!.GetValue<double>().Should().Be(12.5);

        // node-wot picks the first invokeaction form, the one that waits and answers with the output itself.
        var increment = checks["incrementCounter"]!;
        increment["form"]!.GetValue<string>().Should().Be(new Uri(server.BaseAddress, "counter/increment_counter/sync").AbsoluteUri);
        increment["returned"]!.GetValue<int>().Should().Be(1);
        increment["counterAfter"]!.GetValue<int>().Should().Be(1);
        increment["invocationOutput"]!.GetValue<int>().Should().Be(1);

        var slowly = checks["slowlyIncreaseCounter"]!;
        slowly["form"]!.GetValue<string>().Should().EndWith("/counter/slowly_increase_counter/sync");
        slowly["returned"]!.GetValue<int>().Should().Be(3);
        slowly["invocationOutput"]!.GetValue<int>().Should().Be(3);

        checks["nextFrameSize"]!["returned"]!.GetValue<int>().Should().BePositive();
        // capture_jpeg's first form answers with the blob's link, which node-wot checks against the output schema
        // (strictly: wot-client.mjs turns validation on for every action); its image/jpeg form gives the bytes.
        var capture = checks["captureJpeg"]!;
        capture["form"]!.GetValue<string>().Should().EndWith("/camera/capture_jpeg/sync");
        capture["returned"]!["media_type"]!.GetValue<string>().Should().Be("image/jpeg");
        capture["returned"]!["href"]!.GetValue<string>().Should().StartWith(new Uri(server.BaseAddress, "blob/").AbsoluteUri);
        capture["firstBytes"]!.GetValue<string>().Should().Be("ffd8");
        capture["bytesFormFirstBytes"]!.GetValue<string>().Should().Be("ffd8");

        // Observation from the TD alone: node-wot chooses the Server-Sent Events forms.
        var observed = checks["observeBrightness"]!;
        observed["form"]!.GetValue<string>().Should().Be("sse");
        observed["values"]!.AsArray().Select(v => v!.GetValue<int>()).TakeLast(3).Should().Equal(11, 22, 33);
        var overheated = checks["subscribeOverheated"]!;
        overheated["form"]!.GetValue<string>().Should().Be("sse");
        overheated["events"]![0]!["temperature"]!.GetValue<double>().Should().Be(91.5);

        summary["knownIssues"]!.AsArray().Should().BeEmpty();
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunWotClientAsync(Uri baseAddress)
    {
        var interop = Path.Combine(RepositoryPaths.Root, "LabThings.Tests", "Interop");
        RepositoryPaths.RequireFile(
            Path.Combine(interop, "node_modules", "@node-wot", "binding-http", "package.json"),
            "node-wot is installed by scripts/test.sh (or 'npm ci' in LabThings.Tests/Interop)");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("wot-client.mjs");
        start.ArgumentList.Add(baseAddress.AbsoluteUri);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException($"wot-client.mjs did not finish within {Timeout.TotalSeconds} s: {await stderr}");
        }

        return (node.ExitCode, await stdout, await stderr);
    }
}
