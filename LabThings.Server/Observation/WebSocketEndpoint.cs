using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Server.Endpoints;
using LabThings.Server.Hosting;
using LabThings.Server.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabThings.Server.Observation;

/// <summary>
/// <c>/{thing}/ws</c>: observation over a WebSocket with labthings-fastapi's messages (Web Thing Protocol draft).
/// The client sends <c>addPropertyObservation</c>, <c>addActionObservation</c>, <c>addEventSubscription</c> (and their
/// <c>remove…</c> counterparts) with <c>data</c> naming the affordances; the server sends <c>propertyStatus</c>,
/// <c>actionStatus</c> and <c>event</c> messages, and <c>response</c> messages for requests it cannot serve. A bad
/// message gets an error response; the connection stays open.
/// </summary>
internal static partial class WebSocketEndpoint
{
    private const string ErrorTypes = "https://w3c.github.io/web-thing-protocol/errors";
    private const int MaxMessageBytes = 64 * 1024;
    private const int InitialBufferBytes = 1024;
    private static readonly TimeSpan ProtocolErrorLinger = TimeSpan.FromSeconds(1);

    /// <summary>The OpenAPI description of a Thing's WebSocket.</summary>
    public static OperationBuilder Describe(OpenApiContext api, HostedThing thing)
        => new OperationBuilder(
                api,
                $"Observe '{thing.Name}' over a WebSocket",
                "Upgrade to a WebSocket, then send {\"messageType\": \"addPropertyObservation\", \"data\": {\"<property>\": true}} "
                + "(or addActionObservation, addEventSubscription, and remove… to stop). The server sends propertyStatus, actionStatus "
                + "and event messages, and response messages with an error for requests it cannot serve (404 unknown name, 403 not observable, 400 bad message). "
                + "Each connection has a bounded queue: a client that cannot keep up loses the oldest notifications and is sent {\"messageType\": \"dropped\", \"data\": {\"count\": n}}.")
            .Response(101, "Switching to the WebSocket protocol")
            .Problem(426, "Not a WebSocket request");

    public static RequestDelegate Handle(HostedThing thing, ObservationHub hub, IHostApplicationLifetime lifetime) => async context =>
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.Headers.Upgrade = "websocket";
            await Problems.WriteAsync(context, StatusCodes.Status426UpgradeRequired, "WebSocket required", $"Connect to /{thing.Name}/ws with a WebSocket client.").ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var connection = new Connection(thing, hub, socket);
        try
        {
            var sending = connection.SendLoopAsync(ended.Token);
            await connection.ReceiveLoopAsync(ended.Token).ConfigureAwait(false);
            await ended.CancelAsync().ConfigureAwait(false);
            await sending.ConfigureAwait(false);
        }
        catch (WebSocketException failed) when (failed.WebSocketErrorCode == WebSocketError.Faulted && !ended.IsCancellationRequested)
        {
            // The WebSocket failed the connection for a protocol error (RFC 6455 §7.1.7), such as a text frame that is
            // not UTF-8: it has sent a close frame with the reason (1007, 1002, …). Keep the TCP connection a moment so
            // that the client can read it; closing at once resets the connection and the client loses the frame.
            try
            {
                await Task.Delay(ProtocolErrorLinger, ended.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The server is stopping: no need to wait.
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            connection.Dispose();
        }
    };

    private sealed class Connection(HostedThing thing, ObservationHub hub, WebSocket socket) : IDisposable
    {
        private readonly Subscriber _subscriber = new();
        private readonly Dictionary<ObservationKey, IDisposable> _subscriptions = [];
        private readonly SemaphoreSlim _sendGate = new(1, 1);

        public async Task SendLoopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var notification in _subscriber.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    var dropped = _subscriber.TakeDropped();
                    if (dropped > 0)
                    {
                        await SendAsync(Encoding.UTF8.GetBytes("{\"messageType\":\"dropped\",\"data\":{\"count\":" + dropped.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}"), cancellationToken).ConfigureAwait(false);
                    }

                    await SendAsync(notification.WebSocketMessage, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
            {
                // Ends with the connection.
            }
        }

        public async Task ReceiveLoopAsync(CancellationToken cancellationToken)
        {
            // Client messages are a few dozen bytes: start small (a connection keeps its buffer for its whole
            // life) and grow only for a larger message, up to MaxMessageBytes.
            var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    while (true)
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                        length += result.Count;
                        if (result.EndOfMessage || length >= MaxMessageBytes)
                        {
                            break;
                        }

                        if (length == buffer.Length)
                        {
                            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
                            buffer.AsSpan(0, length).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }
                    }

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    if (!result.EndOfMessage)
                    {
                        await RespondAsync(Error(null, null, 413, "Message too large", $"Messages may be at most {MaxMessageBytes} bytes."), cancellationToken).ConfigureAwait(false);
                        await DrainAsync(buffer, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (result.MessageType == WebSocketMessageType.Binary)
                    {
                        await RespondAsync(Error(null, null, 400, "Bad request", "Messages must be text frames holding JSON; binary frames are not read."), cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        await HandleAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not (OperationCanceledException or WebSocketException or IOException or OutOfMemoryException))
                    {
                        // A bug of ours must not cost the client its connection: say so, log it, and go on.
                        Log.MessageFailed(thing.Logger, ex, thing.Name);
                        await RespondAsync(Error(null, null, 500, "Internal error", "The server could not handle this message; the failure is in its log."), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions.Values)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
            _subscriber.Complete();
            _sendGate.Dispose();
        }

        private async Task DrainAsync(byte[] buffer, CancellationToken cancellationToken)
        {
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            while (!result.EndOfMessage);
        }

        private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            // Strict reading first (no duplicate names, every string valid Unicode), so that reading members below cannot throw.
            using (var document = JsonText.TryParse(message, out var problem))
            {
                if (document is null)
                {
                    await RespondAsync(Error(null, null, 400, "Malformed JSON", problem!), cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            var request = JsonNode.Parse(message.Span) as JsonObject;
            var messageType = request?["messageType"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : null;
            var (operation, kind, add) = messageType switch
            {
                "addPropertyObservation" => ("observeproperty", ObservationKind.Property, true),
                "removePropertyObservation" => ("unobserveproperty", ObservationKind.Property, false),
                "addActionObservation" => ("observeaction", ObservationKind.Action, true),
                "removeActionObservation" => ("unobserveaction", ObservationKind.Action, false),
                "addEventSubscription" => ("subscribeevent", ObservationKind.Event, true),
                "removeEventSubscription" => ("unsubscribeevent", ObservationKind.Event, false),
                _ => (null, default, false),
            };
            if (operation is null)
            {
                var detail = messageType is null
                    ? "A message must be a JSON object with a string 'messageType'."
                    : $"Unknown messageType '{messageType}'. Use addPropertyObservation, addActionObservation, addEventSubscription or their remove… counterparts.";
                await RespondAsync(Error(null, null, 400, "Bad request", detail), cancellationToken).ConfigureAwait(false);
                return;
            }

            if (request!["data"] is not JsonObject names || names.Count == 0)
            {
                await RespondAsync(Error(operation, null, 400, "Bad request", "'data' must be an object naming the affordances, e.g. {\"brightness\": true}."), cancellationToken).ConfigureAwait(false);
                return;
            }

            foreach (var (name, _) in names)
            {
                if (Check(kind, name) is { } problem)
                {
                    await RespondAsync(Error(operation, name, problem.Status, problem.Title, problem.Detail), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var key = new ObservationKey(thing.Name, kind, name);
                if (add && !_subscriptions.ContainsKey(key))
                {
                    _subscriptions[key] = hub.Subscribe(key, _subscriber);
                }
                else if (!add && _subscriptions.Remove(key, out var subscription))
                {
                    subscription.Dispose();
                }
            }
        }

        private (int Status, string Title, string Detail)? Check(ObservationKind kind, string name)
        {
            var definition = thing.Definition;
            switch (kind)
            {
                case ObservationKind.Property:
                    var property = definition.Properties.FirstOrDefault(p => p.Name == name);
                    if (property is null)
                    {
                        return (404, "Not Found", $"No property found with the name '{name}'.");
                    }

                    return property.Observable ? null : (403, "Not Observable", $"Property '{name}' is not observable.");
                case ObservationKind.Action:
                    return definition.Actions.Any(a => a.Name == name) ? null : (404, "Not Found", $"No action found with the name '{name}'.");
                default:
                    return definition.Events.Any(e => e.Name == name) ? null : (404, "Not Found", $"No event found with the name '{name}'.");
            }
        }

        private static byte[] Error(string? operation, string? name, int status, string title, string detail)
        {
            var type = status switch
            {
                404 => "#not-found",
                403 => "#not-observable",
                _ => "#bad-request",
            };
            var message = new JsonObject { ["messageType"] = "response" };
            if (operation is not null)
            {
                message["operation"] = operation;
            }

            if (name is not null)
            {
                message["name"] = Problems.Clip(name, 200);
            }

            message["error"] = new JsonObject
            {
                ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["type"] = ErrorTypes + type,
                ["title"] = title,
                ["detail"] = Problems.Clip(detail, 1000),
            };
            return Encoding.UTF8.GetBytes(message.ToJsonString(LabThingsJson.Options));
        }

        private Task RespondAsync(byte[] message, CancellationToken cancellationToken) => SendAsync(message, cancellationToken);

        private async Task SendAsync(byte[] message, CancellationToken cancellationToken)
        {
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendGate.Release();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Could not handle a WebSocket message to Thing '{ThingName}'", EventName = "WebSocketMessageFailed")]
        public static partial void MessageFailed(ILogger logger, Exception exception, string thingName);
    }
}
