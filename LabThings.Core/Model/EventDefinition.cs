using System.Reflection;
using System.Text.Json.Nodes;

namespace LabThings.Model;

/// <summary>An event of a Thing type: a C# event tagged <see cref="ThingEventAttribute"/>.</summary>
public sealed record EventDefinition : AffordanceDefinition
{
    /// <inheritdoc />
    public override AffordanceKind Kind => AffordanceKind.Event;

    /// <summary>The C# event.</summary>
    public EventInfo Event => (EventInfo)Member;

    /// <summary>The type of the payload, or null if the event carries none.</summary>
    public Type? PayloadType { get; init; }

    /// <summary>The JSON schema of the payload, or null if there is none.</summary>
    internal JsonObject? PayloadSchemaNode { get; init; }

    /// <summary>
    /// Adds a handler to the event of a Thing instance; the handler receives the payload (null if none).
    /// Returns an action that removes it again.
    /// </summary>
    internal Func<Thing, Action<object?>, Action> Subscribe { get; init; } = (_, _) => throw new InvalidOperationException("This event definition cannot subscribe.");

    /// <summary>Returns a copy of the payload's JSON schema, or null if the event carries none.</summary>
    /// <returns>A new <see cref="JsonObject"/>, or null.</returns>
    public JsonObject? GetPayloadSchema() => (JsonObject?)PayloadSchemaNode?.DeepClone();
}
