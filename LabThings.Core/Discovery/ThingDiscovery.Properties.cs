using System.ComponentModel;
using System.Reflection;
using LabThings.Model;
using LabThings.Outputs;
using LabThings.Schema;

namespace LabThings;

internal static partial class ThingDiscovery
{
    private static readonly NullabilityInfoContext Nullability = new();

    private static PropertyDefinition? DiscoverProperty(MemberInfo member, ThingPropertyAttribute attribute, int index, bool validateOwnWrites, string where, List<string> problems)
    {
        var before = problems.Count;
        var kind = attribute is ThingSettingAttribute ? "[ThingSetting]" : "[ThingProperty]";
        if (member is not PropertyInfo property)
        {
            problems.Add($"{where}: {kind} belongs on a property, not a {member.MemberType.ToString().ToLowerInvariant()}");
            return null;
        }

        if (property.GetMethod is not { IsStatic: false } || property.GetIndexParameters().Length > 0)
        {
            problems.Add($"{where}: {kind} needs an instance property with a getter (not static, not an indexer)");
            return null;
        }

        var valueType = property.PropertyType;
        if (!CheckSendable(valueType, where, problems))
        {
            return null;
        }

        var declaring = property.DeclaringType!;
        var isFunctional = declaring.GetField($"<{property.Name}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic) is null;
        var setter = property.SetMethod is { IsStatic: false } set ? set : null;
        if (!isFunctional && setter is not null && !SetterInspection.IsInitOnly(setter) && !SetterInspection.CallsSetProperty(setter))
        {
            problems.Add($"{where}: the setter does not call SetProperty, so changes are never observed or saved (LT0001): write 'set => SetProperty(ref field, value);'");
        }

        var publicSetter = setter is { IsPublic: true };
        var readOnly = attribute.ReadOnlyOrNull ?? !publicSetter;
        if (attribute.ReadOnlyOrNull == false && setter is null)
        {
            problems.Add($"{where}: ReadOnly = false, but the property has no setter");
        }

        if (attribute is ThingSettingAttribute && setter is null)
        {
            problems.Add($"{where}: a setting needs a setter (it may be private) so that saved values can be restored");
        }

        Action<object>? resetter = null;
        if (attribute.Resetter is { } resetterName)
        {
            var method = declaring.GetMethod(resetterName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
            if (method is null)
            {
                problems.Add($"{where}: Resetter '{resetterName}' is not a parameterless instance method of {declaring.Name}");
            }
            else
            {
                resetter = CompileAction(method);
            }
        }

        var name = attribute.Name ?? WireNames.FromMember(property.Name);
        if (WireNames.AffordanceNameProblem(name) is { } nameProblem)
        {
            problems.Add($"{where}: {nameProblem}");
        }

        var nullable = !valueType.IsValueType && Nullability.Create(property).ReadState == NullabilityState.Nullable;
        var schema = JsonSchemaGenerator.Generate(LabThingsJson.Options, valueType, property, Constraints(attribute), nullable, where, problems);
        if (problems.Count > before || schema is null)
        {
            return null;
        }

        var flags = (readOnly ? PropertyFlags.ReadOnly : 0)
            | ((attribute.ObservableOrNull ?? !isFunctional) ? PropertyFlags.Observable : 0)
            | (attribute is ThingSettingAttribute ? PropertyFlags.Setting : 0)
            | (isFunctional ? PropertyFlags.Functional : 0)
            | (validateOwnWrites ? PropertyFlags.ValidateOwnWrites : 0);
        return new PropertyDefinition(
            name,
            attribute.Title ?? WireNames.Humanize(name),
            attribute.Description ?? property.GetCustomAttribute<DescriptionAttribute>()?.Description,
            property,
            index,
            flags,
            attribute.Unit,
            schema,
            CompileGetter<object?>(property),
            setter is null ? null : CompileSetter(setter),
            resetter);
    }

    private static SchemaConstraints Constraints(ThingPropertyAttribute a)
        => new(a.Minimum, a.Maximum, a.ExclusiveMinimum, a.ExclusiveMaximum, a.MultipleOf, a.MinLength, a.MaxLength, a.Pattern);
}
