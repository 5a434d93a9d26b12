using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Finished invocations (and their blobs) expire after their action's retention time, on a fake clock.</summary>
public sealed class InvocationRetentionTests
{
    [Fact]
    public async Task FinishedInvocation_IsKeptForTheRetentionTimeThenExpiresWithItsBlob()
    {
        var clock = new ManualClock();
        await using var server = await RunningServer.StartAsync(b =>
        {
            b.Services.AddLabThings().AddThing<Worker>("worker");
            b.Services.AddSingleton<TimeProvider>(clock);
        });
        var invocation = await InvokeAndWaitAsync(server, "worker/make_blob", """{"size": 5}""");
        var href = invocation["href"]!.GetValue<string>();
        var blob = invocation["output"]!["href"]!.GetValue<string>();

        clock.Advance(TimeSpan.FromSeconds(299));
        (await server.Client.GetAsync(href)).StatusCode.Should().Be(HttpStatusCode.OK, "the default retention is 5 minutes");
        (await server.Client.GetAsync(blob)).StatusCode.Should().Be(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromSeconds(2));
        (await server.Client.GetAsync(href)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await server.Client.GetAsync(blob)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a blob lives as long as its invocation");
        JsonNode.Parse(await server.Client.GetStringAsync("action_invocations"))!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task MoreThanMaxInvocations_TheOldestFinishedOnesAreForgotten()
    {
        await using var server = await RunningServer.StartAsync(b =>
        {
            b.Services.AddLabThings().AddThing<Worker>("worker");
            b.Services.Configure<LabThingsOptions>(o => o.MaxInvocations = 5);
        });
        var hrefs = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            hrefs.Add((await InvokeAndWaitAsync(server, "worker/add", $$"""{"a": {{i}}}"""))["href"]!.GetValue<string>());
        }

        var kept = JsonNode.Parse(await server.Client.GetStringAsync("action_invocations"))!.AsArray()
            .Select(i => i!["href"]!.GetValue<string>()).ToList();

        kept.Should().HaveCountLessThanOrEqualTo(5).And.Contain(hrefs[^1]);
        kept.Should().NotContain(hrefs[0]);
        (await server.Client.GetAsync(hrefs[0])).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static async Task<JsonNode> InvokeAndWaitAsync(RunningServer server, string path, string json)
    {
        using var response = await server.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var href = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["href"]!.GetValue<string>();
        JsonNode? current = null;
        (await Eventually.TrueAsync(async () =>
        {
            current = JsonNode.Parse(await server.Client.GetStringAsync(href))!;
            return current["status"]!.GetValue<string>() == "completed";
        })).Should().BeTrue();
        return current!;
    }
}
