using System.Text.Json;

namespace LabThings.ClientGenerator;

/// <summary>
/// The checks a Thing Description must pass before a client is generated for it: what the generator reads must have
/// the shape TD 1.1 gives it. (This is not validation against the W3C TD JSON Schema: a TD with other mistakes still
/// gives a client.)
/// </summary>
internal static class TdCheck
{
    private static readonly string[] Kinds = ["properties", "actions", "events"];

    /// <summary>Whether <paramref name="json"/> looks like a Thing Description rather than a list of them.</summary>
    public static bool LooksLikeTd(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object
        && (json.TryGetProperty("@context", out _) || (json.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && Kinds.Any(k => json.TryGetProperty(k, out _))));

    /// <summary>What is wrong with <paramref name="td"/>, each naming the member at fault; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(JsonElement td)
    {
        var problems = new List<string>();
        if (td.ValueKind != JsonValueKind.Object)
        {
            return ["a Thing Description must be a JSON object"];
        }

        if (!td.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(title.GetString()))
        {
            problems.Add("'title' is missing or not a non-empty string");
        }

        foreach (var kind in Kinds)
        {
            if (!td.TryGetProperty(kind, out var affordances))
            {
                continue;
            }

            if (affordances.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"'{kind}' must be an object");
                continue;
            }

            foreach (var affordance in affordances.EnumerateObject())
            {
                var where = $"{kind}.{affordance.Name}";
                if (affordance.Value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{where} must be an object");
                    continue;
                }

                if (!affordance.Value.TryGetProperty("forms", out var forms) || forms.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{where}: 'forms' is missing or not an array");
                }
                else if (forms.EnumerateArray().Any(f => f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("href", out var href) || href.ValueKind != JsonValueKind.String))
                {
                    problems.Add($"{where}: every form must be an object with a string 'href'");
                }

                foreach (var schema in new[] { "input", "output", "data" })
                {
                    if (affordance.Value.TryGetProperty(schema, out var value) && value.ValueKind != JsonValueKind.Object)
                    {
                        problems.Add($"{where}.{schema} must be a data schema (a JSON object)");
                    }
                }
            }
        }

        return problems;
    }
}
