namespace LabThings.ClientGenerator.Generation;

/// <summary>A C# type as the generated code spells it (framework types fully qualified with <c>global::</c>).</summary>
/// <param name="Name">The type without its nullable mark.</param>
/// <param name="IsValueType">Whether it is a struct (then <c>?</c> makes a <see cref="Nullable{T}"/>).</param>
/// <param name="IsNullable">Whether JSON null is a valid value.</param>
internal sealed record CsType(string Name, bool IsValueType, bool IsNullable = false)
{
    public static readonly CsType Json = new("global::System.Text.Json.JsonElement", true);
    public static readonly CsType Bool = new("bool", true);
    public static readonly CsType Int = new("int", true);
    public static readonly CsType Long = new("long", true);
    public static readonly CsType Double = new("double", true);
    public static readonly CsType String = new("string", false);
    public static readonly CsType Bytes = new("byte[]", false);

    /// <summary>The type as written in code, with <c>?</c> when nullable.</summary>
    public string Code => IsNullable ? Name + "?" : Name;

    /// <summary>The same type, accepting null.</summary>
    public CsType Nullable() => this with { IsNullable = true };

    public override string ToString() => Code;
}

/// <summary>A type the generated code declares: a record for an object schema or an enum for a string enum.</summary>
internal abstract record TypeDefinition(string Name, string? Documentation);

/// <summary>One property of a generated record.</summary>
/// <param name="Name">The C# property name.</param>
/// <param name="WireName">The JSON member name.</param>
/// <param name="Type">Its type (nullable when the schema allows null or does not require the member).</param>
/// <param name="Required">Whether the schema lists it in <c>required</c>.</param>
/// <param name="Documentation">Text for its XML doc comment.</param>
internal sealed record FieldDefinition(string Name, string WireName, CsType Type, bool Required, string? Documentation);

/// <summary>A sealed record for an object schema with named properties.</summary>
internal sealed record RecordDefinition(string Name, string? Documentation, IReadOnlyList<FieldDefinition> Fields) : TypeDefinition(Name, Documentation);

/// <summary>An enum for a string schema with <c>enum</c> values.</summary>
internal sealed record EnumDefinition(string Name, string? Documentation, IReadOnlyList<EnumMember> Members) : TypeDefinition(Name, Documentation);

/// <summary>One member of a generated enum: its C# name and the JSON string it stands for.</summary>
internal sealed record EnumMember(string Name, string WireValue);
