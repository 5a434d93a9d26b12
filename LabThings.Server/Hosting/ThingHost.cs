using System.Collections.Frozen;
using LabThings.Model;
using LabThings.Server.Observation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Hosting;

/// <summary>
/// The Things of this server, created once from the registrations. Creating it checks every registration and
/// every Thing type first, and reports all problems in one <see cref="ThingDefinitionException"/>; then it
/// creates each Thing, attaches it to its <see cref="HostedThing"/> and restores its settings.
/// </summary>
internal sealed partial class ThingHost
{
    private readonly FrozenDictionary<string, HostedThing> _byName;

    public ThingHost(IEnumerable<ThingRegistration> registrations, IServiceProvider services, ObservationHub hub, IOptions<LabThingsOptions> options, ILoggerFactory loggerFactory)
    {
        var list = registrations.ToList();
        Validate(list, services.GetService<IServiceProviderIsService>());
        var plan = SlotResolver.Resolve(list, options.Value.Slots.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        var settingsFolder = Path.GetFullPath(options.Value.SettingsFolder);
        var things = new List<HostedThing>(list.Count);
        var created = new HostedThing?[list.Count];
        foreach (var position in plan.Order)
        {
            var registration = list[position];
            var slots = plan.Slots[position];
            var thing = Create(registration, services, [.. ConstructorArguments(slots, created, list)]);
            if (thing is null)
            {
                throw new InvalidOperationException($"The factory for Thing '{registration.Name}' returned null.");
            }

            // The factory may return a subclass of the registered type: describe what was created.
            var problems = new List<string>();
            var definition = ThingDefinitions.TryGet(thing.GetType(), problems) ?? throw new ThingDefinitionException(problems);
            var hosted = new HostedThing(
                registration.Name,
                thing,
                definition,
                loggerFactory.CreateLogger("LabThings.Things." + registration.Name),
                Path.Combine(settingsFolder, registration.Name + ".json"),
                hub);
            hosted.Attach();
            hosted.Uses = [.. slots.SelectMany(s => s.Things).Distinct().Select(j => list[j].Name)];
            things.Add(hosted);
            created[position] = hosted;
        }

        // Property slots are set once every Thing exists, before any starts.
        foreach (var position in plan.Order)
        {
            foreach (var (slot, used) in plan.Slots[position].Where(s => !s.Slot.IsConstructorParameter))
            {
                slot.Assign(created[position]!.Thing, slot.ValueFor(Chosen(used, created, list)));
            }
        }

        StartOrder = things;
        Things = [.. created.Select(t => t!)];
        foreach (var hosted in Things)
        {
            hosted.States = ReadStates;
        }
        _byName = things.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The Things, in the order they were added.</summary>
    /// <summary>
    /// The <see cref="Thing.ThingState"/> of every Thing that has one, by name, in the order they were added. A Thing
    /// whose state cannot be read is left out (and logged): metadata never stops a capture.
    /// </summary>
    public IReadOnlyDictionary<string, object?> ReadStates()
    {
        var states = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var hosted in Things)
        {
            try
            {
                if (hosted.Thing.ThingState is { } state)
                {
                    states[hosted.Name] = state;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.StateFailed(hosted.Logger, ex, hosted.Name);
            }
        }

        return states;
    }

    /// <summary>The Things in the order they were added.</summary>
    public IReadOnlyList<HostedThing> Things { get; }

    /// <summary>The Things in start order: each after the Things it uses, otherwise in the order they were added (stopped in reverse).</summary>
    public IReadOnlyList<HostedThing> StartOrder { get; }

    private static List<KeyValuePair<string, object>> Chosen(IReadOnlyList<int> used, HostedThing?[] created, List<ThingRegistration> list)
        => [.. used.Select(j => new KeyValuePair<string, object>(list[j].Name, created[j]!.Thing))];

    /// <summary>The values of the constructor's slots that have Things (an empty optional slot keeps its default, null).</summary>
    private static IEnumerable<object> ConstructorArguments(IReadOnlyList<(SlotDefinition Slot, IReadOnlyList<int> Things)> slots, HostedThing?[] created, List<ThingRegistration> list)
        => slots.Where(s => s.Slot.IsConstructorParameter && (s.Things.Count > 0 || s.Slot.Cardinality == SlotCardinality.Many))
            .Select(s => s.Slot.ValueFor(Chosen(s.Things, created, list))!);

    /// <summary>The Thing named <paramref name="name"/>.</summary>
    public HostedThing Get(string name)
        => _byName.GetValueOrDefault(name) ?? throw new KeyNotFoundException($"There is no Thing named '{name}' on this server.");

    /// <summary>
    /// Checks every registration and Thing type, and throws one <see cref="ThingDefinitionException"/> listing every
    /// problem. <c>MapThings()</c> calls it before the container creates the host, so that the exception's stack is
    /// the application's, not the container's.
    /// </summary>
    /// <param name="registrations">The Things added.</param>
    /// <param name="isService">Tells which constructor parameters the container can supply; null to skip that check.</param>
    public static void Validate(IReadOnlyList<ThingRegistration> registrations, IServiceProviderIsService? isService)
    {
        var problems = new List<string>();
        if (registrations.Count == 0)
        {
            problems.Add("no Things were added: call AddLabThings().AddThing<T>(\"name\")");
        }

        foreach (var duplicate in registrations.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{duplicate.Count()} Things are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(r => r.ThingType.Name))}); names must be unique");
        }

        foreach (var registration in registrations)
        {
            if (ThingPaths.ThingNameProblem(registration.Name) is { } problem)
            {
                problems.Add($"Thing '{registration.Name}' ({registration.ThingType.Name}): {problem}");
            }
        }

        foreach (var type in registrations.Select(r => r.ThingType).Distinct())
        {
            ThingDefinitions.TryGet(type, problems);
        }

        if (isService is not null)
        {
            foreach (var registration in registrations.Where(r => r.ByDependencyInjection))
            {
                if (ConstructorProblem(registration, isService) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ThingDefinitionException(problems);
        }
    }

    /// <summary>Creates the Thing; what its constructor or factory throws comes out as a problem naming the Thing, with the cause inside.</summary>
    private static Thing? Create(ThingRegistration registration, IServiceProvider services, object[] slotArguments)
    {
        try
        {
            return registration.Factory is { } factory
                ? factory(services)
                : (Thing)ActivatorUtilities.CreateInstance(services, registration.ThingType, slotArguments);
        }
        catch (Exception ex) when (ex is not ThingDefinitionException and not OutOfMemoryException)
        {
            throw new ThingDefinitionException(
                $"Thing '{registration.Name}' ({registration.ThingType.FullName}): its constructor or factory threw {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Why the container cannot create the Thing: no public constructor, or none whose parameters are all services
    /// (or have defaults). Names the parameters of the constructor closest to working, and the overloads that help.
    /// </summary>
    private static string? ConstructorProblem(ThingRegistration registration, IServiceProviderIsService isService)
    {
        var type = registration.ThingType;
        var where = $"Thing '{registration.Name}' ({type.FullName})";
        var hint = $"add it with a factory, AddThing(\"{registration.Name}\", sp => new {type.Name}(...)), or an instance, AddThing(\"{registration.Name}\", new {type.Name}(...))";
        var constructors = type.GetConstructors();
        if (constructors.Length == 0)
        {
            return type.IsAbstract ? null : $"{where}: has no public constructor, so dependency injection cannot create it: {hint}";
        }

        var missing = constructors
            .Select(c => c.GetParameters().Where(p => !p.HasDefaultValue && !IsSlot(p) && !isService.IsService(p.ParameterType)).ToList())
            .MinBy(m => m.Count)!;
        if (missing.Count == 0)
        {
            return null;
        }

        var names = string.Join(", ", missing.Select(p => $"{CSharpName(p.ParameterType)} {p.Name}"));
        var verb = missing.Count == 1 ? "is not a service" : "are not services";
        return $"{where}: its constructor needs {names}, which {verb}, so dependency injection cannot create it: {hint}";
    }

    /// <summary>A constructor parameter the server fills with Things (see <see cref="ThingSlotAttribute"/>), not the container.</summary>
    private static bool IsSlot(System.Reflection.ParameterInfo parameter)
        => typeof(Thing).IsAssignableFrom(parameter.ParameterType) || parameter.IsDefined(typeof(ThingSlotAttribute), inherit: true);

    private static string CSharpName(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.String => "string",
        TypeCode.Int32 => "int",
        TypeCode.Int64 => "long",
        TypeCode.Double => "double",
        TypeCode.Boolean => "bool",
        _ => type.Name,
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Reading the state of Thing '{ThingName}' failed", EventName = "ThingStateFailed")]
        public static partial void StateFailed(ILogger logger, Exception exception, string thingName);
    }
}
