using System.Reflection;
using System.Text.Json.Nodes;
using LabThings.Schema;

namespace LabThings.Model;

/// <summary>A property of a Thing type: a C# property tagged <c>[ThingProperty]</c> or <c>[ThingSetting]</c>.</summary>
public sealed class PropertyDefinition : AffordanceDefinition
{
    private readonly JsonObject _schema;
    private readonly Lazy<SchemaValidator> _validator;
    private readonly Func<object, object?> _getter;
    private readonly Action<object, object?>? _setter;
    private readonly Action<object>? _resetter;

    internal PropertyDefinition(
        string name,
        string title,
        string? description,
        PropertyInfo property,
        int index,
        PropertyFlags flags,
        string? unit,
        JsonObject schema,
        Func<object, object?> getter,
        Action<object, object?>? setter,
        Action<object>? resetter)
        : base(name, title, description, property)
    {
        Index = index;
        ReadOnly = flags.HasFlag(PropertyFlags.ReadOnly) || setter is null;
        IsWritable = !ReadOnly;
        Observable = flags.HasFlag(PropertyFlags.Observable);
        IsSetting = flags.HasFlag(PropertyFlags.Setting);
        IsFunctional = flags.HasFlag(PropertyFlags.Functional);
        ValidateOwnWrites = flags.HasFlag(PropertyFlags.ValidateOwnWrites);
        IsResettable = !IsFunctional || resetter is not null;
        Unit = unit;
        _schema = (JsonObject)schema.DeepClone();
        _validator = new(() => new SchemaValidator(_schema));
        _getter = getter;
        _setter = setter;
        _resetter = resetter;
    }

    /// <summary>The C# property.</summary>
    public PropertyInfo Property => (PropertyInfo)Member;

    /// <summary>The C# type of the value.</summary>
    public Type ValueType => Property.PropertyType;

    /// <summary>Whether clients may only read the property (the Thing's own code may still set it). Always true without a setter.</summary>
    public bool ReadOnly { get; }

    /// <summary>Whether clients may write the property: the opposite of <see cref="ReadOnly"/>. Read-only properties cannot be reset by clients either.</summary>
    public bool IsWritable { get; }

    /// <summary>Whether clients can observe changes.</summary>
    public bool Observable { get; }

    /// <summary>Whether the property is a setting: saved to disk when it changes and restored at start.</summary>
    public bool IsSetting { get; }

    /// <summary>True for a functional property (getter and setter run code); false for a data property (a stored value).</summary>
    public bool IsFunctional { get; }

    /// <summary>Whether the property can be reset: every data property, and functional ones with a resetter.</summary>
    public bool IsResettable { get; }

    /// <summary>The unit of the value, or null.</summary>
    public string? Unit { get; }

    /// <summary>Whether values set by the Thing's own code are validated (the class has <c>[ValidatePropertyWrites]</c>).</summary>
    public bool ValidateOwnWrites { get; }

    /// <summary>The position of this property in <see cref="ThingDefinition.Properties"/>.</summary>
    internal int Index { get; }

    /// <summary>The JSON schema of the value. Owned by this definition: read it, never change it.</summary>
    internal JsonObject SchemaNode => _schema;

    /// <summary>Validates JSON values against <see cref="SchemaNode"/>; built on first use.</summary>
    internal SchemaValidator Validator => _validator.Value;

    /// <summary>The functional property's resetter, if it names one.</summary>
    internal bool HasResetter => _resetter is not null;

    /// <summary>Returns a copy of the value's JSON schema.</summary>
    /// <returns>A new <see cref="JsonObject"/> each call.</returns>
    public JsonObject GetSchema() => (JsonObject)_schema.DeepClone();

    /// <summary>Reads the value from a Thing of this definition's type (compiled accessor).</summary>
    internal object? GetValue(object thing) => _getter(thing);

    /// <summary>Calls the C# setter, whatever its visibility.</summary>
    /// <exception cref="InvalidOperationException">The property has no setter.</exception>
    internal void SetValue(object thing, object? value)
        => (_setter ?? throw new InvalidOperationException($"'{Name}' has no setter."))(thing, value);

    /// <summary>Calls the functional property's resetter.</summary>
    /// <exception cref="InvalidOperationException">The property names no resetter.</exception>
    internal void CallResetter(object thing)
        => (_resetter ?? throw new InvalidOperationException($"'{Name}' has no resetter."))(thing);
}

/// <summary>The yes/no facts discovery finds about a property.</summary>
[Flags]
internal enum PropertyFlags
{
    None = 0,
    ReadOnly = 1,
    Observable = 2,
    Setting = 4,
    Functional = 8,
    ValidateOwnWrites = 16,
}
