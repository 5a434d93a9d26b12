namespace LabThings;

/// <summary>
/// Exposes a C# property of a <see cref="Thing"/> as a property affordance: readable with
/// <c>GET /{thing}/{name}</c>, writable with <c>PUT</c> unless read-only, resettable with
/// <c>POST /{thing}/{name}/reset</c>, described in the Thing Description and OpenAPI with a JSON schema
/// generated from its type and the constraints given here.
/// </summary>
/// <remarks>
/// <para>
/// A <em>data property</em> stores its value in a backing field: an auto-property, or a property using
/// <c>field</c>, typically <c>{ get; set => SetProperty(ref field, value); } = 50;</c>. Its default is its
/// value when the Thing is added to the server, and it is observable unless <see cref="Observable"/> is false.
/// </para>
/// <para>
/// A <em>functional property</em> has no backing field: its getter (and optional setter) run code, such
/// as talking to hardware. It can be reset only if it names a <see cref="Resetter"/>, and is not
/// observable unless <see cref="Observable"/> is set to true.
/// </para>
/// <para>Numeric constraints that are not set are <see cref="double.NaN"/>; length constraints that are not set are -1.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public class ThingPropertyAttribute : AffordanceAttribute
{
    private bool? _readOnly;
    private bool? _observable;

    /// <summary>
    /// Whether clients may only read the property. Default: false if the property has a public setter,
    /// true otherwise. The Thing's own code can always set it.
    /// </summary>
    public bool ReadOnly { get => _readOnly ?? false; set => _readOnly = value; }

    /// <summary>Whether clients can observe changes. Default: true for data properties, false for functional ones.</summary>
    public bool Observable { get => _observable ?? false; set => _observable = value; }

    /// <summary>The smallest allowed value (inclusive), for numbers.</summary>
    public double Minimum { get; set; } = double.NaN;

    /// <summary>The largest allowed value (inclusive), for numbers.</summary>
    public double Maximum { get; set; } = double.NaN;

    /// <summary>Values must be greater than this, for numbers.</summary>
    public double ExclusiveMinimum { get; set; } = double.NaN;

    /// <summary>Values must be less than this, for numbers.</summary>
    public double ExclusiveMaximum { get; set; } = double.NaN;

    /// <summary>Values must be a multiple of this (greater than 0), for numbers.</summary>
    public double MultipleOf { get; set; } = double.NaN;

    /// <summary>The shortest allowed length, for strings.</summary>
    public int MinLength { get; set; } = -1;

    /// <summary>The longest allowed length, for strings.</summary>
    public int MaxLength { get; set; } = -1;

    /// <summary>A regular expression (ECMA-262 syntax, as in JSON Schema) that strings must match.</summary>
    public string? Pattern { get; set; }

    /// <summary>The unit of the value, e.g. <c>ms</c> or <c>°C</c>, shown in the Thing Description.</summary>
    public string? Unit { get; set; }

    /// <summary>
    /// For a functional property: the name of a parameterless instance method of the Thing that resets it
    /// (use <c>nameof</c>). Data properties reset to their default without one.
    /// </summary>
    public string? Resetter { get; set; }

    internal bool? ReadOnlyOrNull => _readOnly;

    internal bool? ObservableOrNull => _observable;
}

/// <summary>
/// A <see cref="ThingPropertyAttribute">property</see> that is also a setting: saved to a JSON file for its
/// Thing (in the server's settings folder) whenever it changes, and loaded when the server starts,
/// before the Thing's <c>StartAsync</c>. It needs a setter (it may be private).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ThingSettingAttribute : ThingPropertyAttribute
{
}

/// <summary>
/// On a <see cref="Thing"/> class: validate values that the Thing's own code assigns to its properties
/// through <c>SetProperty</c>, as values written by clients are. An invalid value throws
/// <see cref="Model.PropertyValidationException"/> and is not stored. Off by default, as in labthings-fastapi.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class ValidatePropertyWritesAttribute : Attribute
{
}
