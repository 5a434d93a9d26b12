using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace LabThings.Analyzers;

/// <summary>
/// Which types LabThings cannot send as JSON (rule LT0004). The same rule, on reflection, is in LabThings.Core
/// (Discovery/TypeShapes.cs): keep the two in step.
/// </summary>
internal static class TypeShapes
{
    private static readonly HashSet<string> CollectionInterfaces =
    [
        "System.Collections.IEnumerable",
        "System.Collections.ICollection",
        "System.Collections.IList",
        "System.Collections.IDictionary",
        "System.Collections.Generic.IEnumerable`1",
        "System.Collections.Generic.ICollection`1",
        "System.Collections.Generic.IList`1",
        "System.Collections.Generic.IReadOnlyCollection`1",
        "System.Collections.Generic.IReadOnlyList`1",
        "System.Collections.Generic.ISet`1",
        "System.Collections.Generic.IReadOnlySet`1",
        "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2",
        "System.Collections.Immutable.IImmutableList`1",
        "System.Collections.Immutable.IImmutableSet`1",
        "System.Collections.Immutable.IImmutableQueue`1",
        "System.Collections.Immutable.IImmutableStack`1",
        "System.Collections.Immutable.IImmutableDictionary`2",
    ];

    /// <summary>Why <paramref name="type"/> cannot be sent, or null if it can.</summary>
    public static string? Problem(ITypeSymbol type, KnownTypes known)
        => Problem(type, known, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), "");

    private static string? Problem(ITypeSymbol type, KnownTypes known, HashSet<ITypeSymbol> seen, string path)
    {
        var at = path.Length == 0 ? "" : $" (at {path})";
        switch (type)
        {
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return "a pointer has no JSON form" + at;
            case IArrayTypeSymbol array:
                return Problem(array.ElementType, known, seen, path + "[]");
            case ITypeParameterSymbol:
                return null;
        }

        if (type.TypeKind == TypeKind.Delegate)
        {
            return "a delegate is code, not data" + at;
        }

        if (KnownTypes.Is(type, known.MjpegStream))
        {
            return "a live stream is published with [MjpegStream] on a get-only property, not sent as a value" + at;
        }

        if (KnownTypes.InheritsFrom(type, known.Stream))
        {
            return "a stream cannot be sent as JSON; return a Blob for binary data" + at;
        }

        if (KnownTypes.InheritsFrom(type, known.Task) || KnownTypes.Is(type, known.ValueTask) || KnownTypes.Is(type, known.ValueTaskOfT))
        {
            return "a task is not a value; await it and send the result" + at;
        }

        if (type is not INamedTypeSymbol named || KnownTypes.Is(type, known.Blob) || !seen.Add(type))
        {
            return null;
        }

        var metadataName = MetadataName(named.OriginalDefinition);
        if (named.TypeKind == TypeKind.Interface)
        {
            return CollectionInterfaces.Contains(metadataName)
                ? TypeArgumentsProblem(named, known, seen, path)
                : $"an interface has no known shape to read a value into; use a concrete type" + at;
        }

        var inSystem = metadataName.StartsWith("System.", System.StringComparison.Ordinal) || metadataName.StartsWith("Microsoft.", System.StringComparison.Ordinal);
        if (inSystem)
        {
            // Framework types (collections, Nullable<T>, KeyValuePair, …): check what they carry, not their members.
            return TypeArgumentsProblem(named, known, seen, path);
        }

        if (named.IsAbstract && !HasPolymorphism(named, known))
        {
            return "an abstract class has no known shape to read a value into; use a concrete type, or list its subclasses with [JsonDerivedType]" + at;
        }

        foreach (var member in named.GetMembers())
        {
            if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod: not null } property
                && Problem(property.Type, known, seen, Join(path, property.Name)) is { } problem)
            {
                return problem;
            }
        }

        return TypeArgumentsProblem(named, known, seen, path);
    }

    private static string? TypeArgumentsProblem(INamedTypeSymbol named, KnownTypes known, HashSet<ITypeSymbol> seen, string path)
    {
        foreach (var argument in named.TypeArguments)
        {
            if (Problem(argument, known, seen, path) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static bool HasPolymorphism(INamedTypeSymbol type, KnownTypes known)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (KnownTypes.Is(attribute.AttributeClass, known.JsonPolymorphicAttribute) || KnownTypes.Is(attribute.AttributeClass, known.JsonDerivedTypeAttribute))
            {
                return true;
            }
        }

        return false;
    }

    private static string Join(string path, string member) => path.Length == 0 ? member : path + "." + member;

    private static string MetadataName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        var outer = type.ContainingType is { } containing ? MetadataName(containing) + "+" : ns;
        return type.ContainingType is null ? ns + type.MetadataName : outer + type.MetadataName;
    }
}
