using System.ComponentModel;
using System.Reflection;
using LabThings.Model;
using LabThings.Schema;

namespace LabThings;

internal static partial class ThingDiscovery
{
    private static EventDefinition? DiscoverEvent(MemberInfo member, ThingEventAttribute attribute, string where, List<string> problems)
    {
        if (member is not EventInfo eventInfo || eventInfo.EventHandlerType is not { } handlerType)
        {
            problems.Add($"{where}: [ThingEvent] belongs on an event");
            return null;
        }

        if (eventInfo.AddMethod is not { IsStatic: false })
        {
            problems.Add($"{where}: [ThingEvent] needs an instance event");
            return null;
        }

        var before = problems.Count;
        Type? payloadType;
        if (handlerType == typeof(EventHandler) || handlerType == typeof(Action))
        {
            payloadType = null;
        }
        else if (handlerType.IsGenericType && (handlerType.GetGenericTypeDefinition() == typeof(EventHandler<>) || handlerType.GetGenericTypeDefinition() == typeof(Action<>)))
        {
            payloadType = handlerType.GetGenericArguments()[0];
        }
        else
        {
            problems.Add($"{where}: the event's type must be EventHandler<T>, Action<T>, EventHandler or Action, not {handlerType.Name}");
            return null;
        }

        if (payloadType is not null && !CheckSendable(payloadType, $"{where}, payload", problems))
        {
            return null;
        }

        var schema = payloadType is null ? null : JsonSchemaGenerator.Generate(LabThingsJson.Options, payloadType, null, null, false, $"{where}, payload", problems);
        var name = attribute.Name ?? WireNames.FromMember(eventInfo.Name);
        if (WireNames.AffordanceNameProblem(name) is { } nameProblem)
        {
            problems.Add($"{where}: {nameProblem}");
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new EventDefinition(
            name,
            attribute.Title ?? WireNames.Humanize(name),
            attribute.Description ?? eventInfo.GetCustomAttribute<DescriptionAttribute>()?.Description,
            eventInfo,
            payloadType,
            schema,
            CompileSubscribe(eventInfo, handlerType, payloadType));
    }
}
