using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LabThings.ClientGenerator.Generation;

/// <summary>
/// Maps the JSON Schemas of one Thing Description (its data schemas: properties, action inputs and outputs, event
/// data) to C# types, declaring records and enums as it goes.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>boolean</c> → <c>bool</c>; <c>number</c> → <c>double</c>; <c>integer</c> → <c>int</c> when both
/// <c>minimum</c> and <c>maximum</c> lie within Int32, else <c>long</c>.</item>
/// <item><c>string</c> → <c>string</c>; with <c>format</c> <c>date-time</c> → <c>DateTimeOffset</c>, <c>date</c> →
/// <c>DateOnly</c>, <c>uuid</c> → <c>Guid</c>; with <c>contentEncoding: base64</c> → <c>byte[]</c>; with a string
/// <c>enum</c> → a generated enum.</item>
/// <item><c>array</c> → <c>IReadOnlyList&lt;T&gt;</c>; <c>object</c> with <c>properties</c> → a generated sealed
/// record (structurally equal records of one Thing are declared once); <c>object</c> with only an
/// <c>additionalProperties</c> schema → <c>IReadOnlyDictionary&lt;string, T&gt;</c>.</item>
/// <item>Null allowed (<c>type: [T, "null"]</c>, <c>oneOf</c>/<c>anyOf</c> of T and null, <c>nullable: true</c>) →
/// <c>T?</c>. <c>$ref</c> → resolved within the TD (<c>#/schemaDefinitions/…</c>, or within the affordance's schema
/// for <c>#/$defs/…</c>). Anything else (no schema, no type, other unions) → <c>JsonElement</c>.</item>
/// </list>
/// </remarks>
internal sealed partial class SchemaMapper(JsonElement description, TypeNames names, string thingPrefix)
{
    private const int MaxDepth = 32;
    private readonly List<TypeDefinition> _definitions = [];
    private readonly Dictionary<string, string> _byShape = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CsType> _byReference = new(StringComparer.Ordinal);

    /// <summary>The records and enums declared so far, in the order they were found.</summary>
    public IReadOnlyList<TypeDefinition> Definitions => _definitions;

    /// <summary>The C# type for <paramref name="schema"/> (null or not an object: <c>JsonElement</c>).</summary>
    /// <param name="schema">The data schema.</param>
    /// <param name="nameHint">What to call a record or enum made for it (PascalCase).</param>
    public CsType Map(JsonElement? schema, string nameHint) => Map(schema, nameHint, schema, 0);

    /// <summary>The C# type for <paramref name="schema"/>, a part of <paramref name="document"/> (where <c>#/$defs/…</c> references are looked up when the TD has no such path).</summary>
    public CsType Map(JsonElement? schema, string nameHint, JsonElement? document) => Map(schema, nameHint, document, 0);

    /// <summary>Follows <c>$ref</c>s until a schema without one (null when it cannot be resolved).</summary>
    public JsonElement? Resolve(JsonElement? schema) => Resolve(schema, schema, 0);

    /// <summary>Whether the schema allows JSON null.</summary>
    public static bool AllowsNull(JsonElement schema) => NullableInner(schema, out _);

    private CsType Map(JsonElement? maybeSchema, string nameHint, JsonElement? document, int depth)
    {
        if (maybeSchema is not { ValueKind: JsonValueKind.Object } schema || depth > MaxDepth)
        {
            return CsType.Json;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            return MapReference(reference.GetString()!, document, depth);
        }

        if (NullableInner(schema, out var inner))
        {
            var type = inner is { } single ? Map(single, nameHint, document, depth + 1) : MapByType(schema, TypeOf(schema, exceptNull: true), nameHint, document, depth);
            return type.Nullable();
        }

        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array && allOf.GetArrayLength() == 1 && TypeOf(schema, false) is null)
        {
            return Map(allOf[0], nameHint, document, depth + 1);
        }

        return MapByType(schema, TypeOf(schema, exceptNull: false), nameHint, document, depth);
    }

    private CsType MapByType(JsonElement schema, string? type, string nameHint, JsonElement? document, int depth)
    {
        if (type is null && schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            type = "object";
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
            && values.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) && type is null or "string")
        {
            return DeclareEnum(schema, values, nameHint);
        }

        return type switch
        {
            "boolean" => CsType.Bool,
            "number" => CsType.Double,
            "integer" => FitsInt(schema) ? CsType.Int : CsType.Long,
            "string" => MapString(schema),
            "array" => MapArray(schema, nameHint, document, depth),
            "object" => MapObject(schema, nameHint, document, depth),
            _ => CsType.Json,
        };
    }

    private static CsType MapString(JsonElement schema)
    {
        if (Text(schema, "contentEncoding") is { } encoding && encoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
        {
            return CsType.Bytes;
        }

        return Text(schema, "format") switch
        {
            "date-time" => new CsType("global::System.DateTimeOffset", true),
            "date" => new CsType("global::System.DateOnly", true),
            "uuid" => new CsType("global::System.Guid", true),
            _ => CsType.String,
        };
    }

    private CsType MapArray(JsonElement schema, string nameHint, JsonElement? document, int depth)
    {
        var items = schema.TryGetProperty("items", out var i) && i.ValueKind == JsonValueKind.Object ? i : (JsonElement?)null;
        var item = Map(items, Singular(nameHint), document, depth + 1);
        return new CsType($"global::System.Collections.Generic.IReadOnlyList<{item.Code}>", false);
    }

    private CsType MapObject(JsonElement schema, string nameHint, JsonElement? document, int depth)
    {
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object || !properties.EnumerateObject().Any())
        {
            if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
            {
                var value = Map(additional, Singular(nameHint), document, depth + 1);
                return new CsType($"global::System.Collections.Generic.IReadOnlyDictionary<string, {value.Code}>", false);
            }

            return CsType.Json;
        }

        var fields = Fields(schema, document, depth, out var shape);
        if (_byShape.TryGetValue(shape, out var existing))
        {
            return new CsType(existing, false);
        }

        // A record may not have a member of its own name: Size { Z, Size } becomes SizeItem.
        var name = names.Reserve(fields.Any(f => Identifiers.Pascal(f.Wire) == nameHint) ? nameHint + "Item" : nameHint, thingPrefix);
        _byShape[shape] = name;
        _definitions.Add(new RecordDefinition(name, Documentation.Of(schema, details: false), FieldsFor(name, fields)));
        return new CsType(name, false);
    }

    /// <summary>The fields of an object schema, and a key that is equal for structurally equal objects.</summary>
    private List<(string Wire, CsType Type, bool Required, string? Doc)> Fields(JsonElement schema, JsonElement? document, int depth, out string shape)
    {
        var required = Required(schema);
        var fields = new List<(string Wire, CsType Type, bool Required, string? Doc)>();
        var key = new StringBuilder("record");
        foreach (var property in schema.GetProperty("properties").EnumerateObject())
        {
            var type = Map(property.Value, Identifiers.Pascal(property.Name), document, depth + 1);
            var isRequired = required.Contains(property.Name);
            fields.Add((property.Name, isRequired ? type : type.Nullable(), isRequired, Documentation.Of(property.Value)));
            key.Append('|').Append(property.Name).Append(':').Append(type.Code).Append(isRequired ? "!" : "?");
        }

        shape = key.ToString();
        return fields;
    }

    private static List<FieldDefinition> FieldsFor(string recordName, List<(string Wire, CsType Type, bool Required, string? Doc)> fields)
    {
        // A member may not share its record's name, nor a member records declare themselves.
        var taken = new HashSet<string>(StringComparer.Ordinal) { recordName, "EqualityContract", "Equals", "GetHashCode", "ToString", "PrintMembers", "GetType", "MemberwiseClone", "Finalize", "Deconstruct" };
        return fields.Select(f =>
        {
            var pascal = Identifiers.Pascal(f.Wire);
            return new FieldDefinition(Identifiers.Unique(taken, [pascal, pascal + "Value"]), f.Wire, f.Type, f.Required, f.Doc);
        }).ToList();
    }

    private CsType DeclareEnum(JsonElement schema, JsonElement values, string nameHint)
    {
        var wire = values.EnumerateArray().Select(v => v.GetString()!).Distinct(StringComparer.Ordinal).ToList();
        var shape = "enum|" + string.Join("|", wire);
        if (_byShape.TryGetValue(shape, out var existing))
        {
            return new CsType(existing, true);
        }

        var name = names.Reserve(nameHint, thingPrefix);
        _byShape[shape] = name;
        var taken = new HashSet<string>(StringComparer.Ordinal) { name };
        var members = wire.Select(v => new EnumMember(Identifiers.Unique(taken, [Identifiers.Pascal(v, "Empty", "Value")]), v)).ToList();
        _definitions.Add(new EnumDefinition(name, Documentation.Of(schema, details: false), members));
        return new CsType(name, true);
    }

    private CsType MapReference(string reference, JsonElement? document, int depth)
    {
        var key = reference;
        if (_byReference.TryGetValue(key, out var known))
        {
            return known;
        }

        var target = Pointer(description, reference) ?? (document is { } d ? Pointer(d, reference) : null);
        if (target is null)
        {
            return CsType.Json;
        }

        // Mark the reference before mapping its target, so a schema that refers to itself ends in JsonElement.
        _byReference[key] = CsType.Json;
        var name = Identifiers.Pascal(reference[(reference.LastIndexOf('/') + 1)..]);
        var type = Map(target, name, document, depth + 1);
        _byReference[key] = type;
        return type;
    }

    private JsonElement? Resolve(JsonElement? schema, JsonElement? document, int depth)
    {
        while (schema is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String && depth++ < MaxDepth)
        {
            schema = Pointer(description, reference.GetString()!) ?? (document is { } d ? Pointer(d, reference.GetString()!) : null);
        }

        return schema;
    }
}
