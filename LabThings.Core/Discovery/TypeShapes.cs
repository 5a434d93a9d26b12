using System.Reflection;
using System.Text.Json.Serialization;
using LabThings.Outputs;

namespace LabThings;

/// <summary>
/// Which types LabThings cannot send as JSON: streams, delegates, pointers, tasks, and interfaces or abstract classes
/// with no known shape, also inside collections and the public properties of the application's own types. The same
/// rule, on Roslyn symbols, is LT0004 in LabThings.Analyzers (TypeShapes.cs): keep the two in step.
/// </summary>
internal static class TypeShapes
{
    private static readonly HashSet<Type> CollectionInterfaces =
    [
        typeof(System.Collections.IEnumerable),
        typeof(System.Collections.ICollection),
        typeof(System.Collections.IList),
        typeof(System.Collections.IDictionary),
        typeof(IEnumerable<>),
        typeof(ICollection<>),
        typeof(IList<>),
        typeof(IReadOnlyCollection<>),
        typeof(IReadOnlyList<>),
        typeof(ISet<>),
        typeof(IReadOnlySet<>),
        typeof(IDictionary<,>),
        typeof(IReadOnlyDictionary<,>),
        typeof(System.Collections.Immutable.IImmutableList<>),
        typeof(System.Collections.Immutable.IImmutableSet<>),
        typeof(System.Collections.Immutable.IImmutableQueue<>),
        typeof(System.Collections.Immutable.IImmutableStack<>),
        typeof(System.Collections.Immutable.IImmutableDictionary<,>),
    ];

    /// <summary>Why <paramref name="type"/> cannot be sent, or null if it can.</summary>
    public static string? Problem(Type type) => Problem(type, [], "");

    private static string? Problem(Type type, HashSet<Type> seen, string path)
    {
        var at = path.Length == 0 ? "" : $" (at {path})";
        if (type.IsPointer || type.IsFunctionPointer || type.IsUnmanagedFunctionPointer)
        {
            return "a pointer has no JSON form" + at;
        }

        if (type.IsArray)
        {
            return Problem(type.GetElementType()!, seen, path + "[]");
        }

        if (type.IsGenericParameter || type.IsByRef)
        {
            return null;
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return "a delegate is code, not data" + at;
        }

        if (type == typeof(MjpegStream))
        {
            return "a live stream is published with [MjpegStream] on a get-only property, not sent as a value" + at;
        }

        if (typeof(Stream).IsAssignableFrom(type))
        {
            return "a stream cannot be sent as JSON; return a Blob for binary data" + at;
        }

        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) || definition == typeof(ValueTask<>))
        {
            return "a task is not a value; await it and send the result" + at;
        }

        if (type == typeof(Blob) || !seen.Add(type))
        {
            return null;
        }

        if (type.IsInterface)
        {
            return CollectionInterfaces.Contains(definition)
                ? TypeArgumentsProblem(type, seen, path)
                : "an interface has no known shape to read a value into; use a concrete type" + at;
        }

        var ns = type.Namespace ?? "";
        if (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal))
        {
            // Framework types (collections, Nullable<T>, KeyValuePair, …): check what they carry, not their members.
            return TypeArgumentsProblem(type, seen, path);
        }

        if (type.IsAbstract && type.GetCustomAttribute<JsonPolymorphicAttribute>() is null && type.GetCustomAttribute<JsonDerivedTypeAttribute>() is null)
        {
            return "an abstract class has no known shape to read a value into; use a concrete type, or list its subclasses with [JsonDerivedType]" + at;
        }

        foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true }
                && Problem(property.PropertyType, seen, path.Length == 0 ? property.Name : path + "." + property.Name) is { } problem)
            {
                return problem;
            }
        }

        return TypeArgumentsProblem(type, seen, path);
    }

    private static string? TypeArgumentsProblem(Type type, HashSet<Type> seen, string path)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        foreach (var argument in type.GetGenericArguments())
        {
            if (Problem(argument, seen, path) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}
