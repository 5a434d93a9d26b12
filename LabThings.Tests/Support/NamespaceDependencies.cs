using System.Reflection;
using System.Reflection.Emit;

namespace LabThings.Tests.Support;

/// <summary>
/// Which namespaces of an assembly use which, read from the compiled code: base types, interfaces, fields, signatures,
/// attributes and every type, method and field a method body refers to. Compiler-generated types (lambdas, async
/// state machines) count for the type they belong to.
/// </summary>
internal static class NamespaceDependencies
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Edges from each namespace of <paramref name="assembly"/> to the namespaces (with <paramref name="prefix"/>) its code uses.</summary>
    public static Dictionary<string, SortedSet<string>> Of(Assembly assembly, string prefix)
    {
        var edges = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = Outermost(type).Namespace;
            if (from is null || !from.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var set) ? set : edges[from] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var used in Used(type))
            {
                if (Outermost(used).Namespace is { } to && to != from && to.StartsWith(prefix, StringComparison.Ordinal))
                {
                    targets.Add(to);
                }
            }
        }

        return edges;
    }

    /// <summary>A cycle in <paramref name="edges"/>, as the namespaces along it, or null if there is none.</summary>
    public static IReadOnlyList<string>? FindCycle(Dictionary<string, SortedSet<string>> edges)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        return edges.Keys.Where(k => state.GetValueOrDefault(k) == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
    }

    private static List<Type> Used(Type type)
    {
        var used = new List<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }

            used.Add(t);
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        type.GetInterfaces().ToList().ForEach(Add);
        type.GetCustomAttributesData().ToList().ForEach(a => Add(a.AttributeType));
        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(All))
        {
            Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            method.GetParameters().ToList().ForEach(p => Add(p.ParameterType));
            method.GetCustomAttributesData().ToList().ForEach(a => Add(a.AttributeType));
            foreach (var member in BodyReferences(method))
            {
                Add(member as Type ?? member.DeclaringType);
                switch (member)
                {
                    case FieldInfo f:
                        Add(f.FieldType);
                        break;
                    case MethodInfo m:
                        Add(m.ReturnType);
                        m.GetGenericArguments().ToList().ForEach(Add);
                        break;
                }
            }
        }

        return used;
    }

    private static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token the module cannot resolve in this context: nothing to record.
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
