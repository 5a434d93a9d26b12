using System.Text.Json.Nodes;

namespace LabThings.Schema;

/// <summary>
/// Turns a generated JSON schema into a W3C TD 1.1 data schema. The two differ in one way that matters:
/// a TD <c>type</c> is a single name, so a nullable type (<c>"type": ["integer", "null"]</c>) becomes
/// <c>oneOf</c> of the type and <c>null</c>. The input is not modified.
/// </summary>
internal static class TdDataSchema
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal) { "title", "description", "default", "unit", "readOnly", "writeOnly" };

    public static JsonObject From(JsonObject schema)
    {
        var copy = (JsonObject)schema.DeepClone();
        Convert(copy);
        return copy;
    }

    private static void Convert(JsonObject schema)
    {
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (_, value) in properties)
            {
                if (value is JsonObject child)
                {
                    Convert(child);
                }
            }
        }

        foreach (var keyword in new[] { "items", "additionalProperties" })
        {
            if (schema[keyword] is JsonObject child)
            {
                Convert(child);
            }
        }

        foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema[keyword] is JsonArray alternatives)
            {
                foreach (var alternative in alternatives.OfType<JsonObject>())
                {
                    Convert(alternative);
                }
            }
        }

        if (schema["type"] is not JsonArray types)
        {
            return;
        }

        var names = types.Select(t => t!.GetValue<string>()).ToList();
        var nonNull = names.Where(n => n != "null").ToList();
        if (nonNull.Count == 1 && names.Count == 2)
        {
            // Keep annotations on the outside; everything that constrains the value goes into the non-null branch.
            var valueBranch = new JsonObject { ["type"] = nonNull[0] };
            foreach (var key in schema.Select(p => p.Key).Where(k => k != "type" && !Annotations.Contains(k)).ToList())
            {
                var node = schema[key];
                schema.Remove(key);
                if (key == "enum" && node is JsonArray values)
                {
                    node = new JsonArray(values.Where(v => v is not null).Select(v => v!.DeepClone()).ToArray());
                }

                valueBranch[key] = node;
            }

            schema.Remove("type");
            schema["oneOf"] = new JsonArray(valueBranch, new JsonObject { ["type"] = "null" });
            return;
        }

        // Any other combination: one alternative per type.
        schema.Remove("type");
        schema["oneOf"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["type"] = n }).ToArray());
    }
}
