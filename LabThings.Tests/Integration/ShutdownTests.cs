using System.Net.WebSockets;
using System.Text;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Stopping the server with observers and a running action connected is prompt.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task StopAsync_WithWebSocketSseAndARunningAction_EndsThemAllPromptly()
    {
        var server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Worker>("worker").AddThing<Instrument>("instrument"));
        var worker = server.Services.GetRequiredService<Worker>();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(server.BaseAddress, "instrument/ws")) { Scheme = "ws" }.Uri, CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"messageType": "addPropertyObservation", "data": {"exposure": true}}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        using var sse = await server.Client.GetAsync("instrument/exposure/sse", HttpCompletionOption.ResponseHeadersRead);
        using var post = await server.Client.PostAsync("worker/wait", new StringContent("""{"seconds": 60}""", Encoding.UTF8, "application/json"));
        (await Eventually.TrueAsync(() => worker.Cleanups == 0 && server.Services.GetRequiredService<LabThings.Server.Observation.ObservationHub>()
            .SubscriberCount(new LabThings.Server.Observation.ObservationKey("instrument", LabThings.Server.Observation.ObservationKind.Property, "exposure")) == 2, TimeSpan.FromSeconds(10))).Should().BeTrue("both observers subscribed");

        var stopping = server.App.StopAsync();

        // The host's own shutdown timeout is 30 s: well under it means nothing waited for the observers or the 60 s action.
        (await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10)))).Should().Be(stopping, "shutdown must not wait for observers or a 60 s action");
        await stopping;
        (await Eventually.TrueAsync(() => worker.Cleanups == 1, TimeSpan.FromSeconds(10))).Should().BeTrue("the running action was cancelled and cleaned up");
        await server.DisposeAsync();
    }
}
