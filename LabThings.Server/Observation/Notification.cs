using System.Text;

namespace LabThings.Server.Observation;

/// <summary>What a subscription is to.</summary>
internal enum ObservationKind
{
    Property,
    Action,
    Event,
}

/// <summary>A subscription key: one affordance of one Thing.</summary>
internal readonly record struct ObservationKey(string Thing, ObservationKind Kind, string Name);

/// <summary>
/// One change to tell subscribers about: the affordance and its payload as JSON, serialized once when it
/// happened. The WebSocket and SSE encodings are built once, on first use, and shared by every subscriber.
/// </summary>
internal sealed class Notification
{
    private byte[]? _webSocketMessage;
    private byte[]? _sseData;

    public Notification(ObservationKey key, string payloadJson)
    {
        Key = key;
        PayloadJson = payloadJson;
    }

    public ObservationKey Key { get; }

    /// <summary>The value (property), the status object (action) or the payload (event), as JSON.</summary>
    public string PayloadJson { get; }

    /// <summary>The Web Thing Protocol message labthings-fastapi sends: <c>propertyStatus</c>, <c>actionStatus</c> or <c>event</c>.</summary>
    public byte[] WebSocketMessage => _webSocketMessage ??= Encoding.UTF8.GetBytes(Key.Kind switch
    {
        ObservationKind.Property => "{\"messageType\":\"propertyStatus\",\"data\":{" + Quote(Key.Name) + ":" + PayloadJson + "}}",
        ObservationKind.Action => "{\"messageType\":\"actionStatus\",\"data\":" + PayloadJson + "}",
        _ => "{\"messageType\":\"event\",\"name\":" + Quote(Key.Name) + ",\"data\":" + PayloadJson + "}",
    });

    /// <summary>The Server-Sent Events record: <c>data: {json}</c> and a blank line.</summary>
    public byte[] SseRecord => _sseData ??= Encoding.UTF8.GetBytes($"data: {PayloadJson}\n\n");

    private static string Quote(string name) => System.Text.Json.JsonSerializer.Serialize(name);
}
