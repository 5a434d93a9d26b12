using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Schema;

namespace LabThings;

/// <summary>One property of one Thing instance: its metadata, value, default and reset.</summary>
/// <remarks>Thread-safe as far as the Thing's own getter and setter are.</remarks>
public sealed class ThingProperty
{
    internal ThingProperty(Thing thing, PropertyDefinition definition)
    {
        Thing = thing;
        Definition = definition;
    }

    /// <summary>The Thing the property belongs to.</summary>
    public Thing Thing { get; }

    /// <summary>The property's definition (name, schema, flags).</summary>
    public PropertyDefinition Definition { get; }

    /// <summary>The wire name.</summary>
    public string Name => Definition.Name;

    /// <summary>Whether <see cref="Reset"/> works: data properties, and functional ones with a resetter.</summary>
    public bool IsResettable => Definition.IsResettable;

    /// <summary>A copy of the value's JSON schema.</summary>
    public JsonObject Schema => Definition.GetSchema();

    /// <summary>The default value (a fresh copy each call) of a data property; null for functional properties.</summary>
    public object? Default => Thing.DefaultJson(Definition) is { } json
        ? JsonSerializer.Deserialize(json, Definition.ValueType, LabThingsJson.Options)
        : null;

    /// <summary>Reads the current value.</summary>
    /// <returns>The value.</returns>
    public object? GetValue() => Definition.GetValue(Thing);

    /// <summary>
    /// Validates <paramref name="value"/> against the property's schema and sets it through the C# setter.
    /// In-process code is trusted: this also sets properties that are read-only for clients.
    /// </summary>
    /// <param name="value">The new value, of the property's type.</param>
    /// <exception cref="PropertyValidationException">The value breaks the schema; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">The property has no setter.</exception>
    public void SetValue(object? value)
        => SetJson(JsonSerializer.Serialize(value, Definition.ValueType, LabThingsJson.Options));

    /// <summary>Sets the property back to its default (data properties) or calls its resetter (functional ones).</summary>
    /// <exception cref="InvalidOperationException">The property cannot be reset.</exception>
    public void Reset()
    {
        if (Definition.HasResetter)
        {
            Definition.CallResetter(Thing);
            return;
        }

        var json = Thing.DefaultJson(Definition);
        if (Definition.IsFunctional || json is null)
        {
            throw new InvalidOperationException($"'{Name}' cannot be reset: it is a functional property with no Resetter.");
        }

        Definition.SetValue(Thing, JsonSerializer.Deserialize(json, Definition.ValueType, LabThingsJson.Options));
    }

    /// <summary>The value as JSON.</summary>
    internal byte[] GetJsonUtf8() => JsonSerializer.SerializeToUtf8Bytes(GetValue(), Definition.ValueType, LabThingsJson.Options);

    /// <summary>Validates <paramref name="json"/> (a complete JSON text) and sets the value it holds.</summary>
    /// <exception cref="PropertyValidationException">The value breaks the schema or cannot be read as the property's type.</exception>
    internal void SetJson(string json) => Definition.SetValue(Thing, ParseJson(json));

    /// <summary>Validates <paramref name="json"/> (a complete JSON text) and returns the value it holds, changing nothing.</summary>
    /// <exception cref="PropertyValidationException">The value breaks the schema or cannot be read as the property's type.</exception>
    internal object? ParseJson(string json)
    {
        var problems = Definition.Validator.Validate(json);
        if (problems.Count > 0)
        {
            throw new PropertyValidationException(Name, problems);
        }

        object? value;
        try
        {
            value = JsonSerializer.Deserialize(json, Definition.ValueType, LabThingsJson.Options);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 1 } path ? "/" + path.TrimStart('$', '.').Replace('.', '/') : "";
            throw new PropertyValidationException(Name, [new ValidationProblem(field, "type", ex.Message)]);
        }

        return value;
    }

    /// <summary>Sets a value <see cref="ParseJson"/> returned, through the C# setter.</summary>
    internal void SetParsed(object? value) => Definition.SetValue(Thing, value);
}
