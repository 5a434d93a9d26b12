using System.Reflection;
using LabThings.Model;

namespace LabThings;

internal static partial class ThingDiscovery
{
    /// <summary>
    /// The prefixes the TD 1.1 context (<c>https://www.w3.org/2022/wot/td/v1.1</c>) defines itself: a semantic type may use
    /// them without a <see cref="ThingContextAttribute"/>, and a Thing may not redefine them.
    /// </summary>
    internal static readonly IReadOnlySet<string> WellKnownPrefixes = new HashSet<string>(StringComparer.Ordinal) { "td", "jsonschema", "wotsec", "hctl", "htv", "tm" };

    /// <summary>
    /// Reads the class's <see cref="ThingContextAttribute"/>s and the <see cref="SemanticTypeAttribute"/>s of the class and
    /// of each affordance (setting <see cref="AffordanceDefinition.SemanticTypes"/>); adds a problem for a bad prefix or
    /// IRI, and for each compact type whose prefix nobody defines.
    /// </summary>
    private static (IReadOnlyList<string> Types, IReadOnlyDictionary<string, string> Context) DiscoverSemantics(
        Type thingType, string typeName, IReadOnlyList<AffordanceDefinition> affordances, List<string> problems)
    {
        var context = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in thingType.GetCustomAttributes<ThingContextAttribute>(inherit: true))
        {
            var where = $"{typeName}: [ThingContext(\"{entry.Prefix}\", \"{entry.Iri}\")]";
            if (!WireNames.IsName(entry.Prefix, extra: ".-"))
            {
                problems.Add($"{where}: '{entry.Prefix}' is not a usable prefix (letters, digits, '_', '-' or '.', starting with a letter or '_')");
            }
            else if (WellKnownPrefixes.Contains(entry.Prefix))
            {
                problems.Add($"{where}: '{entry.Prefix}' is defined by the TD 1.1 context itself and cannot be redefined");
            }
            else if (!Uri.TryCreate(entry.Iri, UriKind.Absolute, out _))
            {
                problems.Add($"{where}: '{entry.Iri}' is not an absolute IRI");
            }
            else if (context.TryGetValue(entry.Prefix, out var other) && other != entry.Iri)
            {
                problems.Add($"{where}: the prefix '{entry.Prefix}' is already mapped to '{other}'");
            }
            else
            {
                context[entry.Prefix] = entry.Iri;
            }
        }

        var thingTypes = SemanticTypes(thingType, typeName, context, problems);
        foreach (var affordance in affordances)
        {
            affordance.SemanticTypes = SemanticTypes(affordance.Member, $"{typeName}.{affordance.Member.Name}", context, problems);
        }

        return (thingTypes, context);
    }

    /// <summary>The member's semantic types, in the order declared, each once; a problem for each whose prefix is unknown.</summary>
    private static string[] SemanticTypes(MemberInfo member, string where, SortedDictionary<string, string> context, List<string> problems)
    {
        var types = member.GetCustomAttributes<SemanticTypeAttribute>(inherit: true).Select(a => a.Type).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var type in types)
        {
            if (Prefix(type) is { } prefix && !context.ContainsKey(prefix) && !WellKnownPrefixes.Contains(prefix))
            {
                problems.Add($"{where}: [SemanticType(\"{type}\")] uses the prefix '{prefix}', which the Thing's @context does not define: add [ThingContext(\"{prefix}\", \"<the vocabulary's IRI>\")] to the Thing class");
            }
        }

        return types;
    }

    /// <summary>A problem if a member that is no affordance carries <see cref="SemanticTypeAttribute"/> (it would appear nowhere).</summary>
    private static void CheckStraySemanticType(MemberInfo member, string typeName, List<string> problems)
    {
        if (member.IsDefined(typeof(SemanticTypeAttribute), inherit: true))
        {
            problems.Add($"{typeName}.{member.Name}: [SemanticType] is only for the Thing class and its properties, actions, events and streams; this member is none of them");
        }
    }

    /// <summary>The prefix of a compact IRI (<c>saref</c> in <c>saref:LightSwitch</c>); null for a term or an absolute IRI (<c>https://…</c>).</summary>
    private static string? Prefix(string type)
    {
        var colon = type.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 || type.AsSpan(colon + 1).StartsWith("//", StringComparison.Ordinal) ? null : type[..colon];
    }
}
