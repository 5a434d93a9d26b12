using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace LabThings.Schema;

/// <summary>
/// The one seam for generating JSON schemas from C# types: the in-box <see cref="JsonSchemaExporter"/>
/// with the serializer options values are sent with (LabThings' JSON conventions), so schemas and serialized values always agree. DataAnnotations
/// (<see cref="RangeAttribute"/>, <see cref="StringLengthAttribute"/>, <see cref="MinLengthAttribute"/>,
/// <see cref="MaxLengthAttribute"/>, <see cref="RegularExpressionAttribute"/>) and <see cref="DescriptionAttribute"/>
/// on members become schema keywords; objects reject unknown members (<c>additionalProperties: false</c>).
/// </summary>
internal static class JsonSchemaGenerator
{
    private static readonly JsonSchemaExporterOptions ExporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Transform,
    };

    /// <summary>
    /// The schema of <paramref name="type"/> as serialized with <paramref name="options"/>, with the constraints of
    /// <paramref name="member"/> (DataAnnotations) and <paramref name="constraints"/> at the top level; null, with a
    /// problem added, if the type cannot be described.
    /// </summary>
    public static JsonObject? Generate(JsonSerializerOptions options, Type type, ICustomAttributeProvider? member, SchemaConstraints? constraints, bool allowNull, string where, List<string> problems)
    {
        JsonNode node;
        try
        {
            node = options.GetJsonSchemaAsNode(type, ExporterOptions);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            problems.Add($"{where}: the type {type.Name} cannot be sent as JSON ({ex.Message})");
            return null;
        }

        if (node is not JsonObject schema)
        {
            problems.Add($"{where}: the type {type.Name} has no usable JSON schema");
            return null;
        }

        if (schema.ToJsonString().Contains("\"$ref\"", StringComparison.Ordinal))
        {
            problems.Add($"{where}: the type {type.Name} is recursive; Thing Descriptions cannot contain references, so use a non-recursive type");
            return null;
        }

        if (member is not null)
        {
            ApplyAnnotations(schema, member);
        }

        if (allowNull && schema["type"] is JsonValue single && single.GetValue<string>() != "null")
        {
            schema["type"] = new JsonArray(single.GetValue<string>(), "null");
        }

        if (constraints is not null)
        {
            ApplyConstraints(schema, constraints, where, problems);
        }

        return schema;
    }

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is not JsonObject node)
        {
            return schema;
        }

        var type = context.TypeInfo.Type;
        if ((Nullable.GetUnderlyingType(type) ?? type).IsEnum && !node.ContainsKey("type"))
        {
            node.Insert(0, "type", Nullable.GetUnderlyingType(type) is null ? "string" : new JsonArray("string", "null"));
            if (Nullable.GetUnderlyingType(type) is not null && node["enum"] is JsonArray values && !values.Any(v => v is null))
            {
                values.Add(null);
            }
        }

        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && context.PropertyInfo is null && node.ContainsKey("properties"))
        {
            node["additionalProperties"] = false;
        }

        if (context.PropertyInfo?.AttributeProvider is { } provider)
        {
            ApplyAnnotations(node, provider);
        }

        return node;
    }

    private static void ApplyAnnotations(JsonObject schema, ICustomAttributeProvider provider)
    {
        foreach (var attribute in provider.GetCustomAttributes(inherit: true))
        {
            switch (attribute)
            {
                case DescriptionAttribute description when !schema.ContainsKey("description"):
                    schema["description"] = description.Description;
                    break;
                case RangeAttribute range:
                    SetNumber(schema, range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum", range.Minimum);
                    SetNumber(schema, range.MaximumIsExclusive ? "exclusiveMaximum" : "maximum", range.Maximum);
                    break;
                case StringLengthAttribute length:
                    if (length.MinimumLength > 0)
                    {
                        schema["minLength"] = length.MinimumLength;
                    }

                    schema["maxLength"] = length.MaximumLength;
                    break;
                case MinLengthAttribute min:
                    schema[IsArray(schema) ? "minItems" : "minLength"] = min.Length;
                    break;
                case MaxLengthAttribute max when max.Length >= 0:
                    schema[IsArray(schema) ? "maxItems" : "maxLength"] = max.Length;
                    break;
                case RegularExpressionAttribute regex:
                    schema["pattern"] = regex.Pattern;
                    break;
            }
        }
    }

    private static void ApplyConstraints(JsonObject schema, SchemaConstraints a, string where, List<string> problems)
    {
        var numeric = HasType(schema, "number") || HasType(schema, "integer");
        var text = HasType(schema, "string");
        void Number(string keyword, double value)
        {
            if (double.IsNaN(value))
            {
                return;
            }

            if (!numeric)
            {
                problems.Add($"{where}: {char.ToUpperInvariant(keyword[0]) + keyword[1..]} applies to numbers only");
                return;
            }

            schema[keyword] = value;
        }

        Number("minimum", a.Minimum);
        Number("maximum", a.Maximum);
        Number("exclusiveMinimum", a.ExclusiveMinimum);
        Number("exclusiveMaximum", a.ExclusiveMaximum);
        if (!double.IsNaN(a.MultipleOf) && a.MultipleOf <= 0)
        {
            problems.Add($"{where}: MultipleOf must be greater than 0");
        }
        else
        {
            Number("multipleOf", a.MultipleOf);
        }

        if (a.MinLength >= 0 || a.MaxLength >= 0 || a.Pattern is not null)
        {
            if (!text)
            {
                problems.Add($"{where}: MinLength, MaxLength and Pattern apply to strings only");
                return;
            }

            if (a.MinLength >= 0)
            {
                schema["minLength"] = a.MinLength;
            }

            if (a.MaxLength >= 0)
            {
                schema["maxLength"] = a.MaxLength;
            }

            if (a.Pattern is not null)
            {
                schema["pattern"] = a.Pattern;
            }
        }

        if (schema["minimum"] is JsonValue min && schema["maximum"] is JsonValue max && ToDouble(min) > ToDouble(max))
        {
            problems.Add($"{where}: Minimum is greater than Maximum");
        }
    }

    private static double ToDouble(JsonValue value) => value.GetValue<double>();

    private static bool IsArray(JsonObject schema) => HasType(schema, "array");

    private static bool HasType(JsonObject schema, string type) => schema["type"] switch
    {
        JsonValue value => value.GetValue<string>() == type,
        JsonArray values => values.Any(v => v?.GetValue<string>() == type),
        _ => false,
    };

    private static void SetNumber(JsonObject schema, string keyword, object value)
    {
        // Always a double, so GetValue<double>() works on the node; 10.0 is still written as 10.
        schema[keyword] = Convert.ToDouble(value, CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Constraints given on a property's attribute, for the top level of its schema. Numbers that are not set are
/// <see cref="double.NaN"/>; lengths that are not set are -1.
/// </summary>
internal sealed record SchemaConstraints(
    double Minimum,
    double Maximum,
    double ExclusiveMinimum,
    double ExclusiveMaximum,
    double MultipleOf,
    int MinLength,
    int MaxLength,
    string? Pattern);
