using System.Globalization;
using System.Reflection;
using LabThings.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Server.Configuration;

/// <summary>
/// Reads the Things of a configuration section (<c>LabThings:Things</c> in the server tool): each child is a Thing,
/// named by its key, with its <c>Type</c>, the <c>Assembly</c> file it is in (optional), constructor
/// <c>Arguments</c> by parameter name and initial <c>Settings</c>. Everything that can be checked before the server
/// starts is checked here, and every problem is reported at once, each naming the configuration path at fault.
/// </summary>
internal static class ThingsConfiguration
{
    /// <summary>The keys a Thing entry may have (the configuration's JSON Schema lists the same).</summary>
    public static readonly IReadOnlyList<string> ThingKeys = ["Type", "Assembly", "Arguments", "Settings"];

    /// <summary>A Thing read from configuration: its name, type and how to create it.</summary>
    public sealed record Entry(string Name, Type Type, Func<IServiceProvider, Thing> Factory);

    /// <summary>Reads every Thing in <paramref name="things"/>.</summary>
    /// <exception cref="LabThingsConfigurationException">Lists every problem found.</exception>
    public static IReadOnlyList<Entry> Read(IConfiguration things)
    {
        ArgumentNullException.ThrowIfNull(things);
        var problems = new List<string>();
        var entries = new List<Entry>();
        foreach (var section in things.GetChildren())
        {
            if (ReadThing(section, problems) is { } entry)
            {
                entries.Add(entry);
            }
        }

        if (problems.Count > 0)
        {
            throw new LabThingsConfigurationException(problems);
        }

        return entries;
    }

    private static Entry? ReadThing(IConfigurationSection section, List<string> problems)
    {
        var before = problems.Count;
        if (section.Value is not null && !section.GetChildren().Any())
        {
            problems.Add($"{section.Path}: a Thing must be an object with a \"Type\", not the value '{section.Value}'");
            return null;
        }

        foreach (var child in section.GetChildren())
        {
            if (!ThingKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{child.Path}: unknown key; a Thing has {string.Join(", ", ThingKeys)}");
            }
        }

        var typeName = section["Type"];
        if (string.IsNullOrWhiteSpace(typeName))
        {
            problems.Add($"{section.Path}:Type: missing; name the Thing's class with its namespace, e.g. LabThings.Examples.Counter");
            return null;
        }

        var type = ThingTypes.Resolve(typeName, section["Assembly"], section.Path, problems);
        if (type is null)
        {
            return null;
        }

        var constructor = BindConstructor(type, section.GetSection("Arguments"), problems);
        var settings = BindSettings(type, section.GetSection("Settings"), problems);
        if (problems.Count > before || constructor is null || settings is null)
        {
            return null;
        }

        var name = section.Key;
        return new Entry(name, type, services =>
        {
            var thing = constructor.Create(name, services);
            foreach (var (property, value) in settings)
            {
                thing.Properties[property].SetValue(value);
            }

            return thing;
        });
    }

    private static ConstructorPlan? BindConstructor(Type type, IConfigurationSection arguments, List<string> problems)
    {
        var given = arguments.GetChildren().ToList();
        if (arguments.Value is not null && given.Count == 0)
        {
            problems.Add($"{arguments.Path}: must be an object of constructor arguments by parameter name, not the value '{arguments.Value}'");
            return null;
        }

        var constructors = type.GetConstructors();
        if (constructors.Length == 0)
        {
            problems.Add($"{arguments.Path}: {type.FullName} has no public constructor");
            return null;
        }

        // The constructor that takes every configured argument; of several, the one with the most parameters.
        var constructor = constructors
            .Where(c => given.All(a => c.GetParameters().Any(p => NameMatches(p, a.Key))))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault();
        if (constructor is null)
        {
            var signatures = string.Join(" or ", constructors.Select(c => "(" + string.Join(", ", c.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}")) + ")"));
            foreach (var argument in given.Where(a => !constructors.Any(c => c.GetParameters().Any(p => NameMatches(p, a.Key)))))
            {
                problems.Add($"{argument.Path}: {type.FullName} has no constructor parameter named '{argument.Key}'; its constructors take {signatures}");
            }

            if (given.All(a => constructors.Any(c => c.GetParameters().Any(p => NameMatches(p, a.Key)))))
            {
                problems.Add($"{arguments.Path}: no constructor of {type.FullName} takes all of {string.Join(", ", given.Select(a => a.Key))}; its constructors take {signatures}");
            }

            return null;
        }

        var parameters = constructor.GetParameters();
        var values = new object?[parameters.Length];
        var configured = new bool[parameters.Length];
        var ok = true;
        for (var i = 0; i < parameters.Length; i++)
        {
            var argument = given.FirstOrDefault(a => NameMatches(parameters[i], a.Key));
            if (argument is null)
            {
                continue;
            }

            configured[i] = true;
            ok &= TryConvert(argument, parameters[i].ParameterType, $"parameter '{parameters[i].Name}' of {type.Name}", problems, out values[i]);
        }

        return ok ? new ConstructorPlan(type, constructor, parameters, values, configured) : null;
    }

    private static List<(string Property, object? Value)>? BindSettings(Type type, IConfigurationSection settings, List<string> problems)
    {
        var given = settings.GetChildren().ToList();
        if (settings.Value is not null && given.Count == 0)
        {
            problems.Add($"{settings.Path}: must be an object of setting values by name, not the value '{settings.Value}'");
            return null;
        }

        if (given.Count == 0)
        {
            return [];
        }

        var definitionProblems = new List<string>();
        var definition = ThingDefinitions.TryGet(type, definitionProblems);
        if (definition is null)
        {
            // The server's start-up check reports the type's own problems.
            problems.AddRange(definitionProblems.Select(p => $"{settings.Path}: {p}"));
            return null;
        }

        var settingDefinitions = definition.Properties.Where(p => p.IsSetting).ToList();
        var result = new List<(string, object?)>();
        var ok = true;
        foreach (var setting in given)
        {
            var property = settingDefinitions.FirstOrDefault(p => string.Equals(p.Name, setting.Key, StringComparison.OrdinalIgnoreCase))
                ?? settingDefinitions.FirstOrDefault(p => string.Equals(p.Property.Name, setting.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var known = settingDefinitions.Count == 0 ? "it has no settings" : "its settings are " + string.Join(", ", settingDefinitions.Select(p => p.Name));
                problems.Add($"{setting.Path}: {type.FullName} has no setting '{setting.Key}'; {known}");
                ok = false;
                continue;
            }

            if (TryConvert(setting, property.ValueType, $"setting '{property.Name}' of {type.Name}", problems, out var value))
            {
                result.Add((property.Name, value));
            }
            else
            {
                ok = false;
            }
        }

        return ok ? result : null;
    }

    private static bool NameMatches(ParameterInfo parameter, string key)
        => string.Equals(parameter.Name, key, StringComparison.OrdinalIgnoreCase);

    private static bool TryConvert(IConfigurationSection section, Type targetType, string what, List<string> problems, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(targetType);
        var hasChildren = section.GetChildren().Any();
        if (!hasChildren && string.IsNullOrEmpty(section.Value))
        {
            if (targetType.IsValueType && underlying is null)
            {
                problems.Add($"{section.Path}: no value; {what} is a {Describe(targetType)}");
                return false;
            }

            value = targetType == typeof(string) ? section.Value : null;
            return true;
        }

        try
        {
            value = section.Get(targetType, options => options.ErrorOnUnknownConfiguration = true);
            return true;
        }
        catch (InvalidOperationException ex)
        {
            var detail = ex.InnerException is { } inner ? inner.Message : ex.Message;
            var shown = hasChildren ? "the value" : $"'{section.Value}'";
            problems.Add($"{section.Path}: {shown} is not a valid {Describe(targetType)} for {what} ({detail})");
            return false;
        }
    }

    private static string Describe(Type type)
        => Nullable.GetUnderlyingType(type) is { } underlying ? Describe(underlying) + " or null"
            : type.IsEnum ? $"{type.Name} (one of {string.Join(", ", Enum.GetNames(type))})"
            : type.Name;

    /// <summary>How to call the chosen constructor: configured arguments, and services or defaults for the rest.</summary>
    private sealed class ConstructorPlan(Type type, ConstructorInfo constructor, ParameterInfo[] parameters, object?[] values, bool[] configured)
    {
        public Thing Create(string name, IServiceProvider services)
        {
            var arguments = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var parameter = parameters[i];
                if (configured[i])
                {
                    arguments[i] = values[i];
                }
                else if (services.GetService(parameter.ParameterType) is { } service)
                {
                    arguments[i] = service;
                }
                else if (parameter.HasDefaultValue)
                {
                    arguments[i] = parameter.DefaultValue;
                }
                else if (IsNullable(parameter))
                {
                    arguments[i] = null;
                }
                else
                {
                    throw new LabThingsConfigurationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Thing '{name}' ({type.FullName}): constructor parameter '{parameter.Name}' ({parameter.ParameterType.Name}) is neither configured (Arguments:{parameter.Name}) nor a registered service, and has no default"));
                }
            }

            try
            {
                return (Thing)constructor.Invoke(arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw new LabThingsConfigurationException($"Thing '{name}' ({type.FullName}): its constructor failed: {ex.InnerException.Message}", ex.InnerException);
            }
        }

        private static bool IsNullable(ParameterInfo parameter)
            => Nullable.GetUnderlyingType(parameter.ParameterType) is not null
               || (!parameter.ParameterType.IsValueType && new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.Nullable);
    }
}
