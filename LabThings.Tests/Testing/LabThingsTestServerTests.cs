using System.Net;
using System.Text.Json.Nodes;
using LabThings.Examples;
using LabThings.Testing;

namespace LabThings.Tests.Testing;

/// <summary>The testing package's in-process server: real Kestrel on 127.0.0.1, the Things given, a client for each.</summary>
public sealed class LabThingsTestServerTests
{
    [Fact]
    public async Task StartAsync_ServesTheThingsOverHttpOnLoopback()
    {
        await using var server = await LabThingsTestServer.StartAsync(things => things.AddThing<Light>("light"));

        server.BaseAddress.Host.Should().Be("127.0.0.1");
        server.BaseAddress.Port.Should().BeGreaterThan(0);
        (await server.Client.GetStringAsync("light/brightness")).Should().Be("50");
        var td = JsonNode.Parse(await server.Client.GetStringAsync("light/"))!;
        td["title"]!.GetValue<string>().Should().Be("Light");
    }

    [Fact]
    public async Task CreateThingClient_ReadsWritesAndInvokesThroughTheTd()
    {
        await using var server = await LabThingsTestServer.StartAsync(things => things.AddThing<Light>("light").AddThing<Counter>("counter"));
        using var light = await server.CreateThingClientAsync("light");
        using var counter = await server.CreateThingClientAsync("counter");

        await light.WritePropertyAsync("brightness", 0);
        var on = await light.ReadPropertyAsync<bool>("is_on");
        var count = await counter.InvokeActionAsync<int>("increment_counter");

        on.Should().BeFalse();
        count.Should().Be(1);
        File.ReadAllText(Path.Combine(server.SettingsFolder, "light.json")).Should().Contain("\"brightness\": 0");
    }

    [Fact]
    public async Task Dispose_StopsTheServerAndDeletesItsSettingsFolder()
    {
        var server = await LabThingsTestServer.StartAsync(things => things.AddThing<Light>("light"));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        (await client.PutAsync("light/brightness", new StringContent("10", System.Text.Encoding.UTF8, "application/json"))).StatusCode.Should().Be(HttpStatusCode.Created);
        var folder = server.SettingsFolder;
        Directory.Exists(folder).Should().BeTrue();

        await server.DisposeAsync();

        Directory.Exists(folder).Should().BeFalse();
        await client.Invoking(c => c.GetAsync("light/brightness")).Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task StartAsync_OptionsCallback_IsApplied_AndAGivenSettingsFolderIsKept()
    {
        var folder = Support.RunningServer.NewTemporaryFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "light.json"), """{"brightness": 12}""");
        await using (var server = await LabThingsTestServer.StartAsync(things => things.AddThing<Light>("light"), o => o.SettingsFolder = folder))
        {
            (await server.Client.GetStringAsync("light/brightness")).Should().Be("12");
        }

        Directory.Exists(folder).Should().BeTrue("the test's own folder is the test's to delete");
    }

    [Fact]
    public async Task CreateThingClient_UnknownThing_IsANotFoundProblem()
    {
        await using var server = await LabThingsTestServer.StartAsync(things => things.AddThing<Light>("light"));

        var act = () => server.CreateThingClientAsync("lamp");

        (await act.Should().ThrowAsync<LabThings.Client.ThingProblemException>()).Which.Status.Should().Be(HttpStatusCode.NotFound);
    }
}
