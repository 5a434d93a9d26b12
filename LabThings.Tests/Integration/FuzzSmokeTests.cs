using System.Net;
using System.Net.WebSockets;
using System.Text;
using CsCheck;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LabThings.Tests.Integration;

/// <summary>
/// A bounded fuzz smoke (issue 10): a few thousand hostile property writes, action inputs and WebSocket messages
/// against a real server. No answer may be a 5xx, no WebSocket may be dropped, and the server must still serve
/// afterwards. CsCheck generates the inputs; on a failure it prints the shrunk input and the seed to replay it.
/// </summary>
public sealed class FuzzSmokeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] ContentTypes = ["application/json", "application/json", "application/json", "", "text/plain", "application/json; charset=latin1", "application/x-www-form-urlencoded", "multipart/form-data", "application/json; x=\"", "*/*"];
    private RunningServer _server = null!;

    public async Task InitializeAsync()
        => _server = await RunningServer.StartAsync(b => b.Services.AddLabThings(o => o.MaxPendingInvocationsPerAction = 4).AddThing<Instrument>("instrument").AddThing<Worker>("worker"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task HostileBodies_NeverGet5xx()
    {
        var targets = new (string Method, string Path, string Valid)[]
        {
            ("PUT", "instrument/exposure", "4.5"),
            ("PUT", "instrument/code", "\"XYZ\""),
            ("PUT", "instrument/mode", "\"Fast\""),
            ("PUT", "instrument/position", """{"x": 1, "y": 2, "label": "a"}"""),
            ("PUT", "instrument/values", "[1, 2, 3]"),
            ("PUT", "instrument/gains", """{"red": 1.5}"""),
            ("PUT", "instrument/optional", "null"),
            ("PUT", "instrument/level", "3"),
            ("PUT", "instrument/gain", "2.5"),
            ("PUT", "instrument/label", "\"cell\""),
            ("PUT", "instrument/readings", "1"),
            ("POST", "instrument/label/reset", ""),
            ("POST", "worker/add", """{"a": 1, "b": 2}"""),
            ("POST", "worker/echo", """{"position": {"x": 1, "y": 2}, "mode": "Accurate", "tags": [1, 2]}"""),
            ("POST", "worker/take_blob", """{"data": {"href": "/blob/x"}}"""),
            ("POST", "worker/make_blob", """{"size": 10}"""),
            ("POST", "worker/nothing", "{}"),
        };
        var gen = Gen.Select(Gen.Int[0, targets.Length - 1], Gen.OneOf<string>(ContentTypes), Gen.Int[0, 1000])
            .SelectMany(t => JsonFuzz.Body(targets[t.Item1].Valid).Select(body => (Target: targets[t.Item1], ContentType: t.Item2, Body: body)));
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();

        await gen.SampleAsync(
            async request =>
            {
                using var message = new HttpRequestMessage(new HttpMethod(request.Target.Method), request.Target.Path)
                {
                    Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body)),
                };
                if (request.ContentType.Length > 0)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                }

                using var response = await _server.Client.SendAsync(message);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                ((int)response.StatusCode).Should().BeLessThan(500, $"{request.Target.Method} {request.Target.Path} ({request.ContentType}) {request.Body} → {await response.Content.ReadAsStringAsync()}");
            },
            iter: 3000,
            threads: 4,
            print: r => $"{r.Target.Method} {r.Target.Path} [{r.ContentType}] {r.Body}");

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        statuses.Keys.Should().Contain([201, 400, 422], "the fuzz reaches accepted, malformed and invalid inputs alike");
        (await _server.Client.GetAsync("instrument/")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HostileWebSocketMessages_NeverDropTheConnection()
    {
        using var socket = await TestWebSockets.ConnectAsync(_server.BaseAddress, "instrument");
        var messageTypes = Gen.OneOf<string>("addPropertyObservation", "removePropertyObservation", "addActionObservation", "addEventSubscription", "x", "");
        var structured = Gen.Select(messageTypes, JsonFuzz.Value, (type, data) => $$"""{"messageType": "{{type}}", "data": {{data}}}""");
        var gen = Gen.Frequency(
            (4, structured.Select(text => (Binary: false, Bytes: Encoding.UTF8.GetBytes(text)))),
            (3, JsonFuzz.Value.Select(text => (Binary: false, Bytes: Encoding.UTF8.GetBytes(text)))),
            (1, Gen.Byte.Array[0, 64].Select(bytes => (Binary: true, Bytes: bytes))));

        // One connection, one message at a time: after each, a message that always gets an error reply shows the
        // connection still works (replies to the fuzz message itself, if any, come first).
        await gen.SampleAsync(
            async message =>
            {
                await TestWebSockets.SendAsync(socket, message.Bytes, message.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
                await TestWebSockets.SendAsync(socket, """{"messageType": "probe"}""");
                while (true)
                {
                    var reply = await TestWebSockets.ReceiveAsync(socket);
                    if (reply["error"]?["detail"]?.GetValue<string>().Contains("'probe'", StringComparison.Ordinal) == true)
                    {
                        break;
                    }

                    reply["error"]?["status"]?.GetValue<string>().Should().NotStartWith("5", Encoding.UTF8.GetString(message.Bytes));
                }
            },
            iter: 1500,
            threads: 1,
            print: m => (m.Binary ? "binary " : "text ") + Convert.ToHexString(m.Bytes));

        socket.State.Should().Be(WebSocketState.Open);
    }
}
