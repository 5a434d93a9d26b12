using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Server.Observation;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Observation over WebSocket and Server-Sent Events, on real Kestrel.</summary>
public sealed class ObservationTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private RunningServer _server = null!;

    private Instrument Instrument => _server.Services.GetRequiredService<Instrument>();

    private Worker Worker => _server.Services.GetRequiredService<Worker>();

    private ObservationHub Hub => _server.Services.GetRequiredService<ObservationHub>();

    public async Task InitializeAsync()
        => _server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Instrument>("instrument").AddThing<Worker>("worker"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WebSocket_PropertyObservation_SeesEachChangeInOrder()
    {
        using var socket = await ConnectAsync("instrument");
        await SendAsync(socket, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 1, "instrument");

        foreach (var value in new[] { 2.0, 3.5, 4.0, 5.25 })
        {
            Instrument.Exposure = value;
        }

        var seen = new List<double>();
        while (seen.Count < 4)
        {
            var message = await ReceiveAsync(socket);
            message["messageType"]!.GetValue<string>().Should().Be("propertyStatus");
            seen.Add(message["data"]!["exposure"]!.GetValue<double>());
        }

        seen.Should().Equal(2.0, 3.5, 4.0, 5.25);
    }

    [Fact]
    public async Task WebSocket_ActionObservation_SeesPendingRunningCompleted()
    {
        using var socket = await ConnectAsync("worker");
        await SendAsync(socket, """{"messageType": "addActionObservation", "data": {"add": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Action, "add", 1);

        using var post = await _server.Client.PostAsync("worker/add", new StringContent("""{"a": 1, "b": 2}""", Encoding.UTF8, "application/json"));
        post.StatusCode.Should().Be(HttpStatusCode.Created);

        var statuses = new List<string>();
        JsonNode last;
        do
        {
            last = await ReceiveAsync(socket);
            last["messageType"]!.GetValue<string>().Should().Be("actionStatus");
            last["data"]!["action name"]!.GetValue<string>().Should().Be("add");
            statuses.Add(last["data"]!["status"]!.GetValue<string>());
        }
        while (statuses[^1] != "completed");

        statuses.Should().Equal("pending", "running", "completed");
        last["data"]!["output"]!.GetValue<double>().Should().Be(3);
    }

    [Fact]
    public async Task WebSocket_BadRequests_GetErrorResponsesAndTheConnectionStaysOpen()
    {
        using var socket = await ConnectAsync("instrument");

        await SendAsync(socket, """{"messageType": "addPropertyObservation", "data": {"no_such_property": true}}""");
        var notFound = await ReceiveAsync(socket);
        notFound["messageType"]!.GetValue<string>().Should().Be("response");
        notFound["operation"]!.GetValue<string>().Should().Be("observeproperty");
        notFound["name"]!.GetValue<string>().Should().Be("no_such_property");
        notFound["error"]!["status"]!.GetValue<string>().Should().Be("404");

        await SendAsync(socket, """{"messageType": "addPropertyObservation", "data": {"temperature": true}}""");
        var notObservable = await ReceiveAsync(socket);
        notObservable["error"]!["status"]!.GetValue<string>().Should().Be("403");
        notObservable["error"]!["title"]!.GetValue<string>().Should().Be("Not Observable");

        await SendAsync(socket, """{"messageType": "addActionObservation", "data": {"nope": true}}""");
        (await ReceiveAsync(socket))["error"]!["status"]!.GetValue<string>().Should().Be("404");

        await SendAsync(socket, "{this is not json");
        (await ReceiveAsync(socket))["error"]!["title"]!.GetValue<string>().Should().Be("Malformed JSON");

        await SendAsync(socket, """{"messageType": "launchRocket"}""");
        (await ReceiveAsync(socket))["error"]!["detail"]!.GetValue<string>().Should().Contain("launchRocket");

        await SendAsync(socket, """["not", "an", "object"]""");
        (await ReceiveAsync(socket))["error"]!["status"]!.GetValue<string>().Should().Be("400");

        // Still open and working.
        socket.State.Should().Be(WebSocketState.Open);
        await SendAsync(socket, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 1, "instrument");
        Instrument.Exposure = 9;
        (await ReceiveAsync(socket))["data"]!["exposure"]!.GetValue<double>().Should().Be(9);
    }

    [Fact]
    public async Task WebSocket_LargeAndOversizedMessages_AreHandledAndTheConnectionStaysOpen()
    {
        using var socket = await ConnectAsync("instrument");
        var padding = new string(' ', 10_000);

        await SendAsync(socket, "{\"messageType\": \"addPropertyObservation\"," + padding + "\"data\": {\"exposure\": true}}");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 1, "instrument");

        await SendAsync(socket, "{\"messageType\": \"addPropertyObservation\", \"data\": {\"x\": \"" + new string('x', 100_000) + "\"}}");
        (await ReceiveAsync(socket))["error"]!["status"]!.GetValue<string>().Should().Be("413");

        Instrument.Exposure = 7;
        (await ReceiveAsync(socket))["data"]!["exposure"]!.GetValue<double>().Should().Be(7);
    }

    [Fact]
    public async Task WebSocket_RemoveObservation_StopsNotifications()
    {
        using var socket = await ConnectAsync("instrument");
        await SendAsync(socket, """{"messageType": "addPropertyObservation", "data": {"exposure": true, "code": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Property, "code", 1, "instrument");
        await SendAsync(socket, """{"messageType": "removePropertyObservation", "data": {"exposure": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 0, "instrument");

        Instrument.Exposure = 8;
        Instrument.Code = "XYZ";

        var message = await ReceiveAsync(socket);
        message["data"]!.AsObject().Select(p => p.Key).Should().Equal("code");
    }

    [Fact]
    public async Task HundredObservers_AllGetTheChange()
    {
        var sockets = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            var socket = await ConnectAsync("instrument");
            await SendAsync(socket, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
            return socket;
        }));
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 100, "instrument");

        Instrument.Exposure = 6.5;

        var values = await Task.WhenAll(sockets.Select(async s => (await ReceiveAsync(s))["data"]!["exposure"]!.GetValue<double>()));
        values.Should().HaveCount(100).And.AllSatisfy(v => v.Should().Be(6.5));
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public async Task SlowObserver_DoesNotHoldUpTheSetterOrAFastObserverAndIsToldWhatItLost()
    {
        using var slow = await ConnectAsync("instrument", receiveBufferBytes: 1024);
        using var fast = await ConnectAsync("instrument");
        await SendAsync(slow, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
        await SendAsync(fast, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 2, "instrument");

        // The slow client reads nothing while 20,000 changes are made; the fast one keeps reading.
        var fastSeen = new List<double>();
        var fastReader = Task.Run(async () =>
        {
            while (fastSeen.Count == 0 || fastSeen[^1] < 10)
            {
                // A tight loop of 20,000 sets outruns even a fast client, which may be told of drops too.
                var message = await ReceiveAsync(fast);
                if (message["messageType"]!.GetValue<string>() == "propertyStatus")
                {
                    fastSeen.Add(message["data"]!["exposure"]!.GetValue<double>());
                }
            }
        });
        var setter = Task.Run(() =>
        {
            for (var i = 1; i <= 20_000; i++)
            {
                Instrument.Exposure = i / 2000.0;
            }
        });
        await setter.WaitAsync(Patience);
        await fastReader.WaitAsync(Patience);

        fastSeen.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        fastSeen[^1].Should().Be(10);

        // Now the slow client reads: it was told how many notifications it lost, and it ends with the newest value.
        var slowMessages = new List<JsonNode>();
        while (slowMessages.Count == 0 || slowMessages[^1]["data"]?["exposure"]?.GetValue<double>() != 10)
        {
            slowMessages.Add(await ReceiveAsync(slow));
        }

        var dropped = slowMessages.Where(m => m["messageType"]!.GetValue<string>() == "dropped").Sum(m => m["data"]!["count"]!.GetValue<long>());
        dropped.Should().BePositive();
        slowMessages.Count.Should().BeLessThan(20_000);
    }

    [Fact]
    public async Task Disconnect_MidStream_RemovesTheSubscriberAndLeavesOthersWorking()
    {
        var leaver = await ConnectAsync("instrument");
        using var stayer = await ConnectAsync("instrument");
        await SendAsync(leaver, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
        await SendAsync(stayer, """{"messageType": "addPropertyObservation", "data": {"exposure": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 2, "instrument");

        Instrument.Exposure = 1;
        leaver.Abort();
        leaver.Dispose();
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 1, "instrument");

        Instrument.Exposure = 2;
        var values = new List<double>();
        while (values.Count == 0 || values[^1] != 2)
        {
            values.Add((await ReceiveAsync(stayer))["data"]!["exposure"]!.GetValue<double>());
        }

        values.Should().Equal(1, 2);
    }

    [Fact]
    public async Task WebSocket_EventSubscription_DeliversThePayload()
    {
        using var socket = await ConnectAsync("worker");
        await SendAsync(socket, """{"messageType": "addEventSubscription", "data": {"moved": true, "pinged": true}}""");
        await WaitForSubscribersAsync(ObservationKind.Event, "pinged", 1);

        Worker.RaiseMoved(1.5, -2);
        Worker.RaisePinged();

        var moved = await ReceiveAsync(socket);
        moved["messageType"]!.GetValue<string>().Should().Be("event");
        moved["name"]!.GetValue<string>().Should().Be("moved");
        moved["data"]!.ToJsonString().Should().Be("""{"x":1.5,"y":-2,"label":null}""");
        var pinged = await ReceiveAsync(socket);
        pinged["name"]!.GetValue<string>().Should().Be("pinged");
        pinged["data"].Should().BeNull();
    }

    [Fact]
    public async Task Sse_PropertyObservation_StreamsEachValueAsADataRecord()
    {
        using var response = await _server.Client.GetAsync("instrument/exposure/sse", HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().StartWith(":", "the stream opens with a comment once subscribed");

        Instrument.Exposure = 3;
        Instrument.Exposure = 4;

        (await NextDataAsync(reader)).Should().Be("3");
        (await NextDataAsync(reader)).Should().Be("4");
        response.Dispose();
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 0, "instrument");
    }

    [Fact]
    public async Task LongPoll_AnswersWithTheNextValue_AndHeadAnswersAtOnce()
    {
        using (var head = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "instrument/exposure/longpoll")))
        {
            head.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        }

        var poll = _server.Client.GetAsync("instrument/exposure/longpoll");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 1, "instrument");
        poll.IsCompleted.Should().BeFalse("nothing has changed yet");

        Instrument.Exposure = 7.25;

        using var response = await poll;
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("7.25");
        await WaitForSubscribersAsync(ObservationKind.Property, "exposure", 0, "instrument");
    }

    [Fact]
    public async Task Sse_EventSubscription_StreamsEachPayload()
    {
        using var response = await _server.Client.GetAsync("worker/moved", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().StartWith(":");

        Worker.RaiseMoved(3, 4);

        JsonNode.Parse(await NextDataAsync(reader))!["x"]!.GetValue<double>().Should().Be(3);
    }

    [Fact]
    public async Task Sse_ActionStatus_StreamsEachInvocationsStatus()
    {
        using var response = await _server.Client.GetAsync("worker/add/sse", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().StartWith(":");

        using var post = await _server.Client.PostAsync("worker/add/sync", new StringContent("""{"a": 5}""", Encoding.UTF8, "application/json"));

        var statuses = new List<string>();
        while (statuses.Count == 0 || statuses[^1] != "completed")
        {
            statuses.Add(JsonNode.Parse(await NextDataAsync(reader))!["status"]!.GetValue<string>());
        }

        statuses.Should().Equal("pending", "running", "completed");
    }

    [Fact]
    public async Task Td_DescribesObservationAndEventsAndIsValid()
    {
        var json = await _server.Client.GetStringAsync("worker/");
        (await TdSchema.ValidateAsync(json)).Should().BeEmpty();
        var td = JsonNode.Parse(json)!;
        var moved = td["events"]!["moved"]!;
        moved["data"]!["type"]!.GetValue<string>().Should().Be("object");
        var forms = moved["forms"]!.AsArray();
        forms[0]!["subprotocol"]!.GetValue<string>().Should().Be("sse");
        forms[0]!["href"]!.GetValue<string>().Should().Be("moved");
        forms[1]!["href"]!.GetValue<string>().Should().Be(new Uri(_server.BaseAddress, "worker/ws").AbsoluteUri.Replace("http://", "ws://", StringComparison.Ordinal));

        var instrumentTd = JsonNode.Parse(await _server.Client.GetStringAsync("instrument/"))!;
        (await TdSchema.ValidateAsync(instrumentTd.ToJsonString())).Should().BeEmpty();
        var exposure = instrumentTd["properties"]!["exposure"]!;
        exposure["observable"]!.GetValue<bool>().Should().BeTrue();
        exposure["forms"]!.AsArray().Select(f => f!["subprotocol"]?.GetValue<string>()).Should().Equal(null, "sse", "webthingprotocol", "longpoll");
        instrumentTd["properties"]!["temperature"]!["observable"]!.GetValue<bool>().Should().BeFalse();
    }

    private Task<ClientWebSocket> ConnectAsync(string thing, int? receiveBufferBytes = null)
        => TestWebSockets.ConnectAsync(_server.BaseAddress, thing, receiveBufferBytes);

    private static Task SendAsync(ClientWebSocket socket, string message) => TestWebSockets.SendAsync(socket, message);

    private static Task<JsonNode> ReceiveAsync(ClientWebSocket socket) => TestWebSockets.ReceiveAsync(socket);

    private static async Task<string> NextDataAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line["data: ".Length..];
            }
        }
    }

    private async Task WaitForSubscribersAsync(ObservationKind kind, string name, int count, string thing = "worker")
        => (await Eventually.TrueAsync(() => Hub.SubscriberCount(new ObservationKey(thing, kind, name)) == count))
            .Should().BeTrue($"{thing}.{name} should have {count} subscriber(s)");
}
