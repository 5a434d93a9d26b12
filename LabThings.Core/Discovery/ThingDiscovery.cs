using System.Collections.Immutable;
using System.ComponentModel;
using System.Reflection;
using LabThings.Model;
using LabThings.Outputs;

namespace LabThings;

/// <summary>
/// The one place that reflects over Thing types: turns a type into a validated <see cref="ThingDefinition"/>.
/// Only <see cref="ThingDefinitions"/> calls it, once per type.
/// </summary>
internal static partial class ThingDiscovery
{
    private const BindingFlags InstanceMembers = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private const BindingFlags StaticMembers = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>Discovers <paramref name="thingType"/>, adding every problem to <paramref name="problems"/>; null if there is any.</summary>
    public static ThingDefinition? Discover(Type thingType, List<string> problems)
    {
        var before = problems.Count;
        var typeName = thingType.FullName ?? thingType.Name;
        if (!typeof(Thing).IsAssignableFrom(thingType))
        {
            problems.Add($"{typeName}: a Thing type must derive from {typeof(Thing).FullName}");
            return null;
        }

        if (thingType.IsAbstract || thingType.ContainsGenericParameters)
        {
            problems.Add($"{typeName}: a Thing type must be a concrete, non-generic class");
        }

        var validateOwnWrites = thingType.GetCustomAttribute<ValidatePropertyWritesAttribute>(inherit: true) is not null;
        var affordances = new List<AffordanceDefinition>();
        foreach (var member in DeclaredMembers(thingType))
        {
            var attributes = member.GetCustomAttributes<AffordanceAttribute>(inherit: true).ToArray();
            if (attributes.Length == 0)
            {
                CheckStraySemanticType(member, typeName, problems);
                continue;
            }

            var where = $"{typeName}.{member.Name}";
            if (attributes.Length > 1)
            {
                problems.Add($"{where}: a member can carry only one LabThings attribute, found {string.Join(", ", attributes.Select(a => a.GetType().Name))}");
                continue;
            }

            if (!IsPublic(member))
            {
                problems.Add($"{where}: [{ShortName(attributes[0])}] is on a non-public member, and would publish it over HTTP to every client (LT0003): make it public or remove the attribute");
            }

            var affordance = attributes[0] switch
            {
                MjpegStreamAttribute stream => DiscoverStream(member, stream, where, problems),
                ThingPropertyAttribute property => DiscoverProperty(member, property, affordances.OfType<PropertyDefinition>().Count(), validateOwnWrites, where, problems),
                ThingActionAttribute action => DiscoverAction(member, action, where, problems),
                ThingEventAttribute thingEvent => DiscoverEvent(member, thingEvent, where, problems),
                var other => Unsupported(other, where, problems),
            };
            if (affordance is not null)
            {
                affordance.UsesGlobalLock = attributes[0].GlobalLock;
                affordances.Add(affordance);
            }
        }

        foreach (var clash in affordances.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{typeName}: {clash.Count()} affordances share the name '{clash.Key}' ({string.Join(", ", clash.Select(a => a.Member.Name))}) (LT0007): give one a different Name");
        }

        var slots = DiscoverSlots(thingType, typeName, problems);
        var thingScopes = thingType.GetCustomAttributes<RequireScopeAttribute>(inherit: true).Select(a => a.Scope).ToArray();
        var httpEndpoints = DiscoverHttpEndpoints(thingType, typeName, affordances, thingScopes, problems);
        var (semanticTypes, semanticContext) = DiscoverSemantics(thingType, typeName, affordances, problems);
        if (problems.Count > before)
        {
            return null;
        }

        var title = thingType.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName ?? thingType.Name;
        var description = thingType.GetCustomAttribute<DescriptionAttribute>()?.Description;
        foreach (var affordance in affordances)
        {
            affordance.RequiredScopes = thingScopes
                .Concat(affordance.Member.GetCustomAttributes<RequireScopeAttribute>(inherit: true).Select(a => a.Scope))
                .Distinct(StringComparer.Ordinal)
                .ToArray();
        }

        return new ThingDefinition(thingType, title, description, [.. affordances]) { Slots = slots, HttpEndpoints = httpEndpoints, SemanticTypes = semanticTypes, SemanticContext = semanticContext };
    }

    /// <summary>Members in declaration order, base classes first, each member once (overrides replace the base's).</summary>
    private static IEnumerable<MemberInfo> DeclaredMembers(Type type)
    {
        var chain = new Stack<Type>();
        for (var t = type; t is not null && t != typeof(Thing) && t != typeof(object); t = t.BaseType)
        {
            chain.Push(t);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<MemberInfo>();
        foreach (var t in chain)
        {
            foreach (var member in t.GetMembers(InstanceMembers | StaticMembers | BindingFlags.DeclaredOnly)
                         .Where(m => m is PropertyInfo or MethodInfo { IsSpecialName: false } or EventInfo or FieldInfo)
                         .OrderBy(m => m.MetadataToken))
            {
                var key = member.MemberType + ":" + member.Name;
                if (seen.Add(key))
                {
                    ordered.Add(member);
                }
            }
        }

        // An override declared in a subclass: use the most derived declaration.
        return ordered.Select(m => m is PropertyInfo p ? type.GetProperty(p.Name, InstanceMembers | StaticMembers) ?? m : m);
    }

    /// <summary>Whether clients are meant to see the member: a public method, event, field, or property with a public accessor.</summary>
    private static bool IsPublic(MemberInfo member) => member switch
    {
        PropertyInfo p => p.GetMethod is { IsPublic: true } || p.SetMethod is { IsPublic: true },
        MethodInfo m => m.IsPublic,
        EventInfo e => e.AddMethod is { IsPublic: true },
        FieldInfo f => f.IsPublic,
        _ => false,
    };

    /// <summary><c>ThingSetting</c> for <see cref="ThingSettingAttribute"/>.</summary>
    private static string ShortName(AffordanceAttribute attribute)
    {
        var name = attribute.GetType().Name;
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
    }

    /// <summary>Adds a problem (LT0004) if <paramref name="type"/> cannot be sent; true if it can.</summary>
    private static bool CheckSendable(Type type, string where, List<string> problems)
    {
        if (TypeShapes.Problem(type) is not { } problem)
        {
            return true;
        }

        problems.Add($"{where}: the type {TypeName(type)} cannot be sent: {problem} (LT0004)");
        return false;
    }

    /// <summary><c>List&lt;Capture&gt;</c> rather than <c>List`1</c>.</summary>
    private static string TypeName(Type type)
        => type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
            : type.Name;

    private static AffordanceDefinition? Unsupported(AffordanceAttribute attribute, string where, List<string> problems)
    {
        problems.Add($"{where}: {attribute.GetType().Name} is not supported by this version of LabThings");
        return null;
    }

    private static StreamDefinition? DiscoverStream(MemberInfo member, MjpegStreamAttribute attribute, string where, List<string> problems)
    {
        var before = problems.Count;
        if (member is not PropertyInfo property)
        {
            problems.Add($"{where}: [MjpegStream] belongs on a property (e.g. 'public MjpegStream Stream => GetStream();'), not a {member.MemberType.ToString().ToLowerInvariant()}");
            return null;
        }

        if (property.PropertyType != typeof(MjpegStream))
        {
            problems.Add($"{where}: [MjpegStream] property must be of type MjpegStream, not {property.PropertyType.Name} (LT0006): 'public MjpegStream {property.Name} => GetStream();'");
        }

        if (property.GetMethod is not { } getter || getter.IsStatic)
        {
            problems.Add($"{where}: [MjpegStream] property must have an instance getter (e.g. '=> GetStream()')");
        }

        if (property.SetMethod is not null)
        {
            problems.Add($"{where}: [MjpegStream] property must be get-only: the stream is created once per Thing by GetStream()");
        }

        if (property.GetIndexParameters().Length > 0)
        {
            problems.Add($"{where}: [MjpegStream] cannot be on an indexer");
        }

        if (attribute.RingbufferSize < 1)
        {
            problems.Add($"{where}: RingbufferSize must be at least 1, got {attribute.RingbufferSize}");
        }

        var name = attribute.Name ?? WireNames.FromMember(property.Name);
        if (WireNames.AffordanceNameProblem(name) is { } nameProblem)
        {
            problems.Add($"{where}: {nameProblem}");
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new StreamDefinition(
            name,
            attribute.Title ?? WireNames.Humanize(name),
            attribute.Description ?? property.GetCustomAttribute<DescriptionAttribute>()?.Description,
            property,
            attribute.RingbufferSize,
            CompileGetter<MjpegStream>(property));
    }
}
