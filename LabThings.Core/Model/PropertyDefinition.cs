using System.Reflection;
using System.Text.Json.Nodes;
using LabThings.Schema;

namespace LabThings.Model;

/// <summary>A property of a Thing type: a C# property tagged <see cref="ThingPropertyAttribute"/> or <see cref="ThingSettingAttribute"/>.</summary>
public sealed record PropertyDefinition : AffordanceDefinition
{
    private readonly JsonObject _schema = [];
    private readonly Lazy<SchemaValidator> _validator;

    internal PropertyDefinition()
    {
        _validator = new(() => new SchemaValidator(_schema));
    }

    /// <inheritdoc />
    public override AffordanceKind Kind => AffordanceKind.Property;

    /// <summary>The C# property.</summary>
    public PropertyInfo Property => (PropertyInfo)Member;

    /// <summary>The C# type of the value.</summary>
    public required Type ValueType { get; init; }

    /// <summary>Whether clients may only read the property (the Thing's own code may still set it).</summary>
    public required bool ReadOnly { get; init; }

    /// <summary>Whether clients can observe changes.</summary>
    public required bool Observable { get; init; }

    /// <summary>Whether the property is a setting: saved to disk when it changes and restored at start.</summary>
    public required bool IsSetting { get; init; }

    /// <summary>True for a functional property (getter and setter run code); false for a data property (a stored value).</summary>
    public required bool IsFunctional { get; init; }

    /// <summary>Whether the property can be reset: every data property, and functional ones with a resetter.</summary>
    public bool IsResettable => !IsFunctional || Resetter is not null;

    /// <summary>The unit of the value, or null.</summary>
    public string? Unit { get; init; }

    /// <summary>Whether values set by the Thing's own code are validated (see <see cref="ValidatePropertyWritesAttribute"/>).</summary>
    public bool ValidateOwnWrites { get; init; }

    /// <summary>The JSON schema of the value, with its constraints. It is never modified after discovery.</summary>
    internal JsonObject SchemaNode { get => _schema; init => _schema = value; }

    /// <summary>Reads the value (compiled accessor).</summary>
    internal Func<Thing, object?> Getter { get; init; } = _ => throw new InvalidOperationException("This property definition has no getter.");

    /// <summary>Calls the C# setter (whatever its visibility), or null if there is none.</summary>
    internal Action<Thing, object?>? Setter { get; init; }

    /// <summary>The functional property's resetter, or null.</summary>
    internal Action<Thing>? Resetter { get; init; }

    internal SchemaValidator Validator => _validator.Value;

    /// <summary>Returns a copy of the value's JSON schema.</summary>
    /// <returns>A new <see cref="JsonObject"/> each call.</returns>
    public JsonObject GetSchema() => (JsonObject)_schema.DeepClone();
}
