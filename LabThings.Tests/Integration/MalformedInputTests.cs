using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>
/// Input an attacker or a fuzzer would send (issue 10, "Found" 2 to 4): every one gets a clear 4xx or an error
/// reply, changes nothing, and never a 500, a dropped connection or a server that will not start.
/// </summary>
public sealed class MalformedInputTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private RunningServer _server = null!;

    private Instrument Instrument => _server.Services.GetRequiredService<Instrument>();

    public async Task InitializeAsync()
        => _server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Instrument>("instrument").AddThing<Worker>("worker"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1e400")]
    public async Task PutProperty_NumberBeyondAnyIntegerType_Is422AndChangesNothing(string body)
    {
        using var response = await PutAsync("instrument/counter", body);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await _server.Client.GetStringAsync("instrument/counter")).Should().Be("0");
    }

    [Theory]
    [InlineData("123456789012345678901234567890")]
    [InlineData("9223372036854775808")]
    [InlineData("""{"a": 123456789012345678901234567890}""")]
    [InlineData("""{"a": 1e400}""")]
    public async Task InvokeAction_HugeNumbers_Are422(string body)
    {
        using var response = await PostAsync("worker/add", body);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [InlineData("""{"a": 1, "a": 2}""")]
    [InlineData("""{"position": {"x": 1, "y": 2, "x": 3}}""")]
    public async Task InvokeAction_DuplicateKey_Is400(string body)
    {
        using var response = await PostAsync(body.Contains("position", StringComparison.Ordinal) ? "worker/echo" : "worker/add", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("duplicate", Exactly.Once());
    }

    [Fact]
    public async Task PutProperty_DuplicateKeyInsideAnObject_Is400AndChangesNothing()
    {
        using var response = await PutAsync("instrument/position", """{"x": 5, "y": 6, "y": 7}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        Instrument.Position.Should().Be(new Position(1, 2));
    }

    [Theory]
    [InlineData("instrument/code", "PUT", "\"\\ud800\"")]
    [InlineData("instrument/position", "PUT", "{\"x\": 1, \"y\": 2, \"label\": \"\\udc00\"}")]
    [InlineData("worker/echo", "POST", "{\"position\": {\"x\": 1, \"y\": 2, \"\\ud800\": 3}}")]
    public async Task Body_StringThatIsNotUnicode_Is400AndChangesNothing(string path, string method, string body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("not valid Unicode");
        Instrument.Code.Should().Be("ABC");
        Instrument.Position.Should().Be(new Position(1, 2));
    }

    [Fact]
    public async Task HugeUnknownKey_IsNotEchoedWhole()
    {
        var key = new string('k', 1024 * 1024);

        using var response = await PostAsync("worker/add", $$"""{"a": 1, "{{key}}": 2}""");

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var body = await response.Content.ReadAsStringAsync();
        body.Length.Should().BeLessThan(4096, "the answer names the field, cut short");
        JsonNode.Parse(body)!["errors"]![0]!["rule"]!.GetValue<string>().Should().Be("additionalProperties");
    }

    [Fact]
    public async Task ThousandUnknownKeys_ListTwentyErrorsAndCountTheRest()
    {
        var body = "{\"a\": 1, " + string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"\"k{i}\": {i}")) + "}";

        using var response = await PostAsync("worker/add", body);

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["errors"]!.AsArray().Should().HaveCount(20);
        problem["more_errors"]!.GetValue<int>().Should().Be(980);
    }

    [Fact]
    public async Task HugeDuplicateKey_IsNotEchoedWhole()
    {
        var key = new string('d', 1024 * 1024);

        using var response = await PostAsync("worker/add", $$"""{"{{key}}": 1, "{{key}}": 2}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Length.Should().BeLessThan(4096);
    }

    [Fact]
    public async Task WebSocket_HugeUnknownName_IsNotEchoedWhole()
    {
        using var socket = await ConnectAsync();

        await SendAsync(socket, Encoding.UTF8.GetBytes($$$"""{"messageType": "addPropertyObservation", "data": {"{{{new string('n', 50_000)}}}": true}}"""), WebSocketMessageType.Text);

        var reply = await ReceiveAsync(socket);
        reply["error"]!["status"]!.GetValue<string>().Should().Be("404");
        reply.ToJsonString().Length.Should().BeLessThan(4096);
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_Is413WithoutReadingItAll()
    {
        // A raw client, so that the answer can be read while the body is still being sent (and the test does not
        // depend on how an HTTP client reacts to a server that stops reading).
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /worker/add HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
        long sent = 0;
        long sentWhenAnswered = -1;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sending = Task.Run(async () =>
        {
            var chunk = Encoding.ASCII.GetBytes("10000\r\n" + new string(' ', 0x10000) + "\r\n");
            try
            {
                while (sent < 256L * 1024 * 1024 && !stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(chunk, stop.Token);
                    Interlocked.Add(ref sent, 0x10000);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // The server may close the connection once it has answered.
            }
        });

        var head = await ReadUntilAsync(stream, "\r\n\r\n"u8.ToArray());
        sentWhenAnswered = Interlocked.Read(ref sent);
        await stop.CancelAsync();
        await sending;

        head.Should().StartWith("HTTP/1.1 413");
        sentWhenAnswered.Should().BeLessThan(128L * 1024 * 1024, "the server answers once the 4 MiB limit is passed, not after reading the 256 MiB (kernel buffers and Kestrel draining the rest account for some more; the endpoint tier checks how much is read)");
    }

    [Theory]
    [InlineData("""{"messageType": "addPropertyObservation", "messageType": "x", "data": {"exposure": true}}""")]
    [InlineData("""{"messageType": "addPropertyObservation", "data": {"exposure": true, "exposure": false}}""")]
    [InlineData("""{"messageType": "addPropertyObservation", "data": {"\ud800": true}}""")]
    [InlineData("""{"messageType": "\udc00"}""")]
    public async Task WebSocket_MessagesThatUsedToKillTheConnection_GetAnErrorReply(string message)
    {
        using var socket = await ConnectAsync();

        await SendAsync(socket, Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text);

        (await ReceiveAsync(socket))["error"]!["status"]!.GetValue<string>().Should().Be("400");
        await ShouldStillWorkAsync(socket);
    }

    [Fact]
    public async Task WebSocket_InvalidUtf8_FailsTheConnectionWithCloseCode1007()
    {
        // RFC 6455 §8.1: a text frame that is not UTF-8 must fail the connection. The server says why, in a close frame
        // with status 1007 (invalid payload data), and does not answer it as a message. Read with a raw socket: .NET's
        // ClientWebSocket reports the close only as an exception once the server drops the TCP connection.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /instrument/ws HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        (await ReadUntilAsync(stream, "\r\n\r\n"u8.ToArray())).Should().StartWith("HTTP/1.1 101");
        var payload = Encoding.UTF8.GetBytes("""{"messageType": "addPropertyObservation", "data": {"XX": true}}""");
        var at = Array.IndexOf(payload, (byte)'X');
        payload[at] = 0xC3;
        payload[at + 1] = 0x28;
        byte[] mask = [1, 2, 3, 4];
        await stream.WriteAsync((byte[])[0x81, (byte)(0x80 | payload.Length), .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))]);

        var frame = new byte[4];
        using var timeout = new CancellationTokenSource(Patience);
        await stream.ReadExactlyAsync(frame, timeout.Token);

        frame[0].Should().Be(0x88, "the first frame back is a close frame");
        ((frame[2] << 8) | frame[3]).Should().Be(1007);
    }

    private static async Task<string> ReadUntilAsync(Stream stream, byte[] end)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var read = new List<byte>();
        var one = new byte[1];
        while (read.Count < end.Length || !read.TakeLast(end.Length).SequenceEqual(end))
        {
            await stream.ReadExactlyAsync(one, timeout.Token);
            read.Add(one[0]);
        }

        return Encoding.ASCII.GetString(read.ToArray());
    }

    [Fact]
    public async Task WebSocket_BinaryMessage_IsRefusedWithAnErrorReply()
    {
        using var socket = await ConnectAsync();

        await SendAsync(socket, Encoding.UTF8.GetBytes("""{"messageType": "addPropertyObservation", "data": {"exposure": true}}"""), WebSocketMessageType.Binary);

        var reply = await ReceiveAsync(socket);
        reply["error"]!["status"]!.GetValue<string>().Should().Be("400");
        reply["error"]!["detail"]!.GetValue<string>().Should().Contain("text");
        await ShouldStillWorkAsync(socket);
    }

    private async Task ShouldStillWorkAsync(ClientWebSocket socket)
    {
        socket.State.Should().Be(WebSocketState.Open);
        await SendAsync(socket, Encoding.UTF8.GetBytes("""{"messageType": "addPropertyObservation", "data": {"exposure": true}}"""), WebSocketMessageType.Text);
        var hub = _server.Services.GetRequiredService<global::LabThings.Server.Observation.ObservationHub>();
        (await Eventually.TrueAsync(() => hub.SubscriberCount(new("instrument", global::LabThings.Server.Observation.ObservationKind.Property, "exposure")) == 1)).Should().BeTrue();
        Instrument.Exposure = 8;
        (await ReceiveAsync(socket))["data"]!["exposure"]!.GetValue<double>().Should().Be(8);
    }

    private Task<HttpResponseMessage> PutAsync(string path, string json)
        => _server.Client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> PostAsync(string path, string json)
        => _server.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<ClientWebSocket> ConnectAsync() => TestWebSockets.ConnectAsync(_server.BaseAddress, "instrument");

    private static Task SendAsync(ClientWebSocket socket, byte[] message, WebSocketMessageType type) => TestWebSockets.SendAsync(socket, message, type);

    private static Task<JsonNode> ReceiveAsync(ClientWebSocket socket) => TestWebSockets.ReceiveAsync(socket);
}
