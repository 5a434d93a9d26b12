using System.Reflection;
using System.Text.Json.Nodes;

namespace LabThings.Model;

/// <summary>An event of a Thing type: a C# event tagged <c>[ThingEvent]</c>.</summary>
public sealed class EventDefinition : AffordanceDefinition
{
    private readonly JsonObject? _payloadSchema;
    private readonly Func<object, Action<object?>, Action> _subscribe;

    internal EventDefinition(string name, string title, string? description, EventInfo eventInfo, Type? payloadType, JsonObject? payloadSchema, Func<object, Action<object?>, Action> subscribe)
        : base(name, title, description, eventInfo)
    {
        PayloadType = payloadType;
        _payloadSchema = (JsonObject?)payloadSchema?.DeepClone();
        _subscribe = subscribe;
    }

    /// <summary>The C# event.</summary>
    public EventInfo Event => (EventInfo)Member;

    /// <summary>The type of the payload, or null if the event carries none.</summary>
    public Type? PayloadType { get; }

    /// <summary>The JSON schema of the payload, or null. Owned by this definition: read it, never change it.</summary>
    internal JsonObject? PayloadSchemaNode => _payloadSchema;

    /// <summary>Returns a copy of the payload's JSON schema, or null if the event carries none.</summary>
    /// <returns>A new <see cref="JsonObject"/>, or null.</returns>
    public JsonObject? GetPayloadSchema() => (JsonObject?)_payloadSchema?.DeepClone();

    /// <summary>
    /// Adds a handler to the event of a Thing instance; the handler receives the payload (null if none).
    /// Returns an action that removes it again.
    /// </summary>
    internal Action Subscribe(object thing, Action<object?> handler) => _subscribe(thing, handler);
}
