using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>The server-wide lock (issue 11; labthings-fastapi's global lock) over real Kestrel.</summary>
public sealed class GlobalLockTests
{
    public sealed class Bench : Thing
    {
        [ThingProperty]
        public int Level { get; set => SetProperty(ref field, value); }

        [ThingProperty(GlobalLock = false)]
        public string Label { get; set => SetProperty(ref field, value); } = "";

        [ThingAction]
        public async Task Hold(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

        [ThingAction]
        public int Quick() => Level + 1;

        [ThingAction(GlobalLock = false)]
        public int EmergencyStop() => Level;
    }

    private static Task<RunningServer> StartAsync(GlobalLockMode mode) => RunningServer.StartAsync(b =>
    {
        b.Services.AddLabThings(o =>
        {
            o.GlobalLock = mode;
            o.SyncActionTimeout = TimeSpan.FromMilliseconds(500);
        }).AddThing<Bench>("bench");
    });

    private static async Task<Uri> StartHoldAsync(RunningServer server)
    {
        using var started = await server.Client.PostAsJsonAsync("bench/hold", new { });
        started.StatusCode.Should().Be(HttpStatusCode.Created);
        var href = started.Headers.Location!;
        (await Eventually.TrueAsync(async () => (await Status(server, href)) == "running", TimeSpan.FromSeconds(10))).Should().BeTrue();
        return href;
    }

    private static async Task<string> Status(RunningServer server, Uri href)
        => JsonNode.Parse(await server.Client.GetStringAsync(href))!["status"]!.GetValue<string>();

    [Fact]
    public async Task Refuse_ARunningActionRefusesWritesAndOtherActions_ExceptOptedOutMembers()
    {
        await using var server = await StartAsync(GlobalLockMode.Refuse);
        var hold = await StartHoldAsync(server);

        using (var write = await server.Client.PutAsJsonAsync("bench/level", 5))
        {
            write.StatusCode.Should().Be(HttpStatusCode.Conflict);
            JsonNode.Parse(await write.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>().Should().Contain("action 'hold' of 'bench'");
        }

        (await server.Client.PostAsJsonAsync("bench/quick", new { })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await server.Client.PutAsJsonAsync("bench/label", "sample 3")).StatusCode.Should().Be(HttpStatusCode.Created, "the label opts out");
        (await server.Client.PostAsJsonAsync("bench/emergency_stop", new { })).StatusCode.Should().Be(HttpStatusCode.Created, "so does the emergency stop");
        (await server.Client.GetAsync("bench/level")).StatusCode.Should().Be(HttpStatusCode.OK, "reading never takes the lock");
        server.Services.GetRequiredService<Bench>().Level.Should().Be(0);

        (await server.Client.DeleteAsync(hold)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Eventually.TrueAsync(async () => (await Status(server, hold)) == "cancelled", TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await server.Client.PutAsJsonAsync("bench/level", 5)).StatusCode.Should().Be(HttpStatusCode.Created, "the lock is free again");
    }

    [Fact]
    public async Task Wait_InvocationsQueueBehindTheLock_AndWritesGiveUpAfterTheTimeout()
    {
        await using var server = await StartAsync(GlobalLockMode.Wait);
        var hold = await StartHoldAsync(server);

        using var queued = await server.Client.PostAsJsonAsync("bench/quick", new { });
        queued.StatusCode.Should().Be(HttpStatusCode.Created);
        await Task.Delay(300);
        (await Status(server, queued.Headers.Location!)).Should().Be("pending", "it waits for the lock");

        (await server.Client.PutAsJsonAsync("bench/level", 5)).StatusCode.Should().Be(HttpStatusCode.Conflict, "a write waits 500 ms at most");

        (await server.Client.DeleteAsync(hold)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Eventually.TrueAsync(async () => (await Status(server, queued.Headers.Location!)) == "completed", TimeSpan.FromSeconds(10))).Should().BeTrue();
    }
}
