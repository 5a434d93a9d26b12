using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace LabThings.Tests.Support;

/// <summary>A test's WebSocket client of a Thing's <c>/{thing}/ws</c>: connect, send, receive one JSON message, each bounded in time.</summary>
internal static class TestWebSockets
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<ClientWebSocket> ConnectAsync(Uri baseAddress, string thing, int? receiveBufferBytes = null)
    {
        var socket = new ClientWebSocket();
        if (receiveBufferBytes is { } size)
        {
            socket.Options.SetBuffer(size, size);
        }

        var uri = new UriBuilder(new Uri(baseAddress, $"{thing}/ws")) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    public static Task SendAsync(ClientWebSocket socket, string message)
        => SendAsync(socket, Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text);

    public static async Task SendAsync(ClientWebSocket socket, byte[] message, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await socket.SendAsync(message, type, true, timeout.Token);
    }

    /// <summary>The next message, as JSON; fails if the server closes the connection instead.</summary>
    public static async Task<JsonNode> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[64 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            result.MessageType.Should().NotBe(WebSocketMessageType.Close, "the server must answer, not close the connection");
            length += result.Count;
        }
        while (!result.EndOfMessage);

        return JsonNode.Parse(buffer.AsSpan(0, length))!;
    }
}
