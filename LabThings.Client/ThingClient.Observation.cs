using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LabThings.Client.Internal;

namespace LabThings.Client;

public sealed partial class ThingClient
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan EmptyPollPause = TimeSpan.FromMilliseconds(100);

    private IAsyncEnumerable<JsonElement> ObserveAsync(string kind, string name, string op, CancellationToken cancellationToken)
    {
        var affordance = Affordance(kind, name);
        var defaults = kind == "events" ? EventOps : ["observeproperty"];
        foreach (var form in TdForm.Read(affordance, defaults).Where(f => f.Ops.Contains(op) && TdForm.IsJson(f.ContentType)))
        {
            var uri = form.Resolve(_base);
            var subprotocol = form.Subprotocol;
            if (IsHttp(uri) && subprotocol == "sse")
            {
                return ServerSentEventsAsync(form, uri, cancellationToken);
            }

            if (IsHttp(uri) && subprotocol is null or "longpoll")
            {
                return LongPollAsync(form, uri, op, cancellationToken);
            }

            if (uri.Scheme is "ws" or "wss" && subprotocol is null or "webthingprotocol")
            {
                return WebThingProtocolAsync(form, uri, kind, name, cancellationToken);
            }
        }

        throw new NotSupportedException(
            $"The {kind.TrimEnd('s')} '{name}' of '{Title}' has no '{op}' form this client understands (JSON over Server-Sent Events, long polling or a WebSocket).");
    }

    private async IAsyncEnumerable<JsonElement> ServerSentEventsAsync(TdForm form, Uri uri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            form.Method("observeproperty"), uri, form, null, "text/event-stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var parser = SseParser.Create(stream, static (type, data) => data.ToArray());
            await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                // Records with another event type (LabThings' "dropped") are about the connection, not values.
                if (item.EventType == SseParser.EventTypeDefault)
                {
                    yield return ParseLoosely(item.Data);
                }
            }
        }
    }

    private async IAsyncEnumerable<JsonElement> LongPollAsync(TdForm form, Uri uri, string op, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = await PollOnceAsync(form, uri, op, cancellationToken).ConfigureAwait(false);
            if (value is { } v)
            {
                yield return v;
            }
            else
            {
                // An answer without a value (204): wait a little, so a server that does not hold polls open is not hammered.
                await Task.Delay(EmptyPollPause, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One long poll: the value, or null when the server answered without one or the request timed out.</summary>
    private async Task<JsonElement?> PollOnceAsync(TdForm form, Uri uri, string op, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(form.Method(op), uri, form, null, form.ExpectedResponseType, HttpCompletionOption.ResponseContentRead, cancellationToken)
                .ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return null;
            }

            return await ReadValueAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout ended a poll that saw no change: ask again.
            return null;
        }
    }

    private async IAsyncEnumerable<JsonElement> WebThingProtocolAsync(TdForm form, Uri uri, string kind, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        if (CredentialsFor(form, uri) is { } header)
        {
            socket.Options.SetRequestHeader("Authorization", header.ToString());
        }

        await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        try
        {
            var messageType = kind == "events" ? "addEventSubscription" : "addPropertyObservation";
            var request = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["messageType"] = messageType,
                ["data"] = new Dictionary<string, bool> { [name] = true },
            });
            await socket.SendAsync(request, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            using var message = new MemoryStream();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                message.SetLength(0);
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        yield break;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (message.Length > MaxMessageBytes)
                    {
                        throw new InvalidDataException($"A WebSocket message from '{uri}' is larger than {MaxMessageBytes} bytes.");
                    }
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Text && Match(message.GetBuffer().AsSpan(0, (int)message.Length), kind, name, uri) is { } value)
                {
                    yield return value;
                }
            }
        }
        finally
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                    // The connection is going anyway.
                }
            }
        }
    }

    /// <summary>The value a Web Thing Protocol message carries for this affordance, or null; throws for an error reply.</summary>
    private static JsonElement? Match(ReadOnlySpan<byte> text, string kind, string name, Uri uri)
    {
        JsonElement message;
        try
        {
            var reader = new Utf8JsonReader(text);
            message = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }

        var type = JsonText.String(message, "messageType");
        if (type == "response" && message.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var status = error.TryGetProperty("status", out var s) && (s.ValueKind == JsonValueKind.Number ? s.GetInt32() : int.TryParse(s.GetString(), out var parsed) ? parsed : 0) is var code && code > 0
                ? code
                : 400;
            throw new ThingProblemException(
                (HttpStatusCode)status,
                JsonText.String(error, "title") ?? $"The WebSocket at {uri} refused the request",
                JsonText.String(error, "detail"),
                JsonText.String(error, "type"),
                [],
                message);
        }

        if (!message.TryGetProperty("data", out var data))
        {
            return null;
        }

        return (kind, type) switch
        {
            ("properties", "propertyStatus") when data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) => value,
            ("events", "event") when JsonText.String(message, "name") == name => data,
            _ => null,
        };
    }

    /// <summary>JSON when it parses, a string otherwise (a text event).</summary>
    private static JsonElement ParseLoosely(byte[] data)
    {
        try
        {
            return ToValue(data, "application/json");
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(data));
        }
    }
}
