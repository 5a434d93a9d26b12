using System.Collections.Immutable;
using System.Reflection;
using LabThings.Model;

namespace LabThings;

internal static partial class ThingDiscovery
{
    /// <summary>
    /// The slots of <paramref name="thingType"/>: properties carrying <see cref="ThingSlotAttribute"/>, and the
    /// parameters of its constructor that carry it or whose type is a Thing (which dependency injection could not
    /// give: the Things are made by the server, in slot order).
    /// </summary>
    private static ImmutableArray<SlotDefinition> DiscoverSlots(Type thingType, string typeName, List<string> problems)
    {
        var slots = new List<SlotDefinition>();
        var nullability = new NullabilityInfoContext();
        foreach (var member in DeclaredMembers(thingType).OfType<PropertyInfo>())
        {
            if (member.GetCustomAttribute<ThingSlotAttribute>(inherit: true) is not { } attribute)
            {
                continue;
            }

            var where = $"{typeName}.{member.Name}";
            if (member.SetMethod is null)
            {
                problems.Add($"{where}: a [ThingSlot] property needs a setter (it may be private), e.g. {{ get; private set; }}");
                continue;
            }

            var optional = nullability.Create(member).WriteState == NullabilityState.Nullable;
            if (Slot(member.Name, member.PropertyType, optional, attribute, member, null, where, problems) is { } slot)
            {
                slots.Add(slot);
            }
        }

        if (Constructor(thingType) is { } constructor)
        {
            foreach (var parameter in constructor.GetParameters())
            {
                var attribute = parameter.GetCustomAttribute<ThingSlotAttribute>();
                if (attribute is null && !typeof(Thing).IsAssignableFrom(parameter.ParameterType))
                {
                    continue;
                }

                var where = $"{typeName} constructor parameter '{parameter.Name}'";
                var optional = nullability.Create(parameter).WriteState == NullabilityState.Nullable || (parameter.HasDefaultValue && parameter.DefaultValue is null);
                if (Slot(parameter.Name ?? "?", parameter.ParameterType, optional, attribute ?? new ThingSlotAttribute(), null, parameter, where, problems) is { } slot)
                {
                    slots.Add(slot);
                }
            }
        }

        return [.. slots];
    }

    /// <summary>The constructor the server uses: the public one marked [ActivatorUtilitiesConstructor], else the public one with most parameters.</summary>
    internal static ConstructorInfo? Constructor(Type thingType)
    {
        var constructors = thingType.GetConstructors();
        return constructors.FirstOrDefault(c => c.GetCustomAttributes().Any(a => a.GetType().Name == "ActivatorUtilitiesConstructorAttribute"))
            ?? constructors.OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
    }

    private static SlotDefinition? Slot(string name, Type type, bool optional, ThingSlotAttribute attribute, PropertyInfo? property, ParameterInfo? parameter, string where, List<string> problems)
    {
        var cardinality = optional ? SlotCardinality.Optional : SlotCardinality.One;
        var dictionary = false;
        var element = type;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            element = type.GetGenericArguments()[0];
            cardinality = SlotCardinality.Many;
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            if (type.GetGenericArguments()[0] != typeof(string))
            {
                problems.Add($"{where}: a dictionary slot is keyed by Thing name: use IReadOnlyDictionary<string, {type.GetGenericArguments()[1].Name}>");
                return null;
            }

            element = type.GetGenericArguments()[1];
            cardinality = SlotCardinality.Many;
            dictionary = true;
        }

        if (element.IsValueType || element == typeof(string) || (!element.IsInterface && !typeof(Thing).IsAssignableFrom(element)))
        {
            problems.Add($"{where}: a slot's type must be a Thing class or an interface (or IReadOnlyList/IReadOnlyDictionary<string, …> of one), not {element.Name}");
            return null;
        }

        if (cardinality == SlotCardinality.One && attribute.ThingNames.Count > 1)
        {
            problems.Add($"{where}: a single slot names {attribute.ThingNames.Count} Things ({string.Join(", ", attribute.ThingNames)}); use IReadOnlyList<{element.Name}> for many");
            return null;
        }

        return new SlotDefinition(name, element, cardinality, dictionary, attribute.ThingNames, property, parameter);
    }
}
