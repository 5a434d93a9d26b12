using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace LabThings.Tests.Support;

/// <summary>
/// Reads an assembly's metadata and lists the non-public types and members of other assemblies it uses (which it
/// can only do through InternalsVisibleTo): the seams between LabThings' libraries.
/// </summary>
internal static class AssemblySeams
{
    /// <summary>
    /// Non-public types of <paramref name="target"/> that <paramref name="user"/> refers to (<c>Type</c>), and the members
    /// it uses that are non-public or belong to a non-public type (<c>Type.Member</c>; property accessors as <c>get_X</c>).
    /// </summary>
    public static SortedSet<string> InternalsUsed(Assembly user, Assembly target)
    {
        using var stream = File.OpenRead(user.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var targetName = target.GetName().Name;
        var used = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var handle in reader.TypeReferences)
        {
            if (Resolve(reader, handle, targetName, target) is { } type && !IsVisible(type))
            {
                used.Add(type.Name);
            }
        }

        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference && member.Parent.Kind != HandleKind.TypeSpecification)
            {
                continue;
            }

            var type = member.Parent.Kind == HandleKind.TypeReference
                ? Resolve(reader, (TypeReferenceHandle)member.Parent, targetName, target)
                : ResolveSpecification(reader, (TypeSpecificationHandle)member.Parent, targetName, target);
            if (type is null)
            {
                continue;
            }

            var name = reader.GetString(member.Name);
            var candidates = type.GetMember(name, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
            if (!IsVisible(type) || (candidates.Length > 0 && candidates.All(IsNotPublic)))
            {
                used.Add($"{type.Name}.{(name == ".ctor" ? "ctor" : name)}");
            }
        }

        return used;
    }

    private static Type? Resolve(MetadataReader reader, TypeReferenceHandle handle, string? targetName, Assembly target)
    {
        var reference = reader.GetTypeReference(handle);
        string? outer = null;
        var scope = reference.ResolutionScope;
        if (scope.Kind == HandleKind.TypeReference)
        {
            var parent = Resolve(reader, (TypeReferenceHandle)scope, targetName, target);
            return parent?.GetNestedType(reader.GetString(reference.Name), BindingFlags.Public | BindingFlags.NonPublic);
        }

        if (scope.Kind != HandleKind.AssemblyReference
            || reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name) != targetName)
        {
            return null;
        }

        var ns = reader.GetString(reference.Namespace);
        outer = ns.Length == 0 ? reader.GetString(reference.Name) : ns + "." + reader.GetString(reference.Name);
        return target.GetType(outer);
    }

    private static Type? ResolveSpecification(MetadataReader reader, TypeSpecificationHandle handle, string? targetName, Assembly target)
    {
        // A generic instantiation: its first handle after the GENERICINST marker names the generic type.
        var blob = reader.GetBlobReader(reader.GetTypeSpecification(handle).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return null;
        }

        blob.ReadSignatureTypeCode();
        var generic = blob.ReadTypeHandle();
        return generic.Kind == HandleKind.TypeReference ? Resolve(reader, (TypeReferenceHandle)generic, targetName, target) : null;
    }

    private static bool IsVisible(Type type) => type.IsPublic || (type.IsNestedPublic && IsVisible(type.DeclaringType!));

    private static bool IsNotPublic(MemberInfo member) => member switch
    {
        MethodBase method => !method.IsPublic && !method.IsFamily && !method.IsFamilyOrAssembly,
        FieldInfo field => !field.IsPublic && !field.IsFamily && !field.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).All(IsNotPublic),
        EventInfo e => e.AddMethod is null || IsNotPublic(e.AddMethod),
        Type nested => !nested.IsNestedPublic,
        _ => false,
    };
}
