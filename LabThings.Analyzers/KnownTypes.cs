using Microsoft.CodeAnalysis;

namespace LabThings.Analyzers;

/// <summary>The types the rules look for, resolved once per compilation; null when the compilation does not reference them.</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation)
    {
        Thing = compilation.GetTypeByMetadataName("LabThings.Thing");
        AffordanceAttribute = compilation.GetTypeByMetadataName("LabThings.AffordanceAttribute");
        ThingPropertyAttribute = compilation.GetTypeByMetadataName("LabThings.ThingPropertyAttribute");
        ThingActionAttribute = compilation.GetTypeByMetadataName("LabThings.ThingActionAttribute");
        ThingEventAttribute = compilation.GetTypeByMetadataName("LabThings.ThingEventAttribute");
        MjpegStreamAttribute = compilation.GetTypeByMetadataName("LabThings.MjpegStreamAttribute");
        HttpEndpointAttribute = compilation.GetTypeByMetadataName("LabThings.HttpEndpointAttribute");
        ActionContext = compilation.GetTypeByMetadataName("LabThings.ActionContext");
        MjpegStream = compilation.GetTypeByMetadataName("LabThings.Outputs.MjpegStream");
        Blob = compilation.GetTypeByMetadataName("LabThings.Outputs.Blob");
        Stream = compilation.GetTypeByMetadataName("System.IO.Stream");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        ILogger = compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.ILogger");
        IProgressOfT = compilation.GetTypeByMetadataName("System.IProgress`1");
        EventHandler = compilation.GetTypeByMetadataName("System.EventHandler");
        EventHandlerOfT = compilation.GetTypeByMetadataName("System.EventHandler`1");
        Action = compilation.GetTypeByMetadataName("System.Action");
        ActionOfT = compilation.GetTypeByMetadataName("System.Action`1");
        JsonPolymorphicAttribute = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonPolymorphicAttribute");
        JsonDerivedTypeAttribute = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonDerivedTypeAttribute");
        AsyncStateMachineAttribute = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.AsyncStateMachineAttribute");
    }

    public INamedTypeSymbol? Thing { get; }

    public INamedTypeSymbol? AffordanceAttribute { get; }

    public INamedTypeSymbol? ThingPropertyAttribute { get; }

    public INamedTypeSymbol? ThingActionAttribute { get; }

    public INamedTypeSymbol? ThingEventAttribute { get; }

    public INamedTypeSymbol? MjpegStreamAttribute { get; }

    public INamedTypeSymbol? HttpEndpointAttribute { get; }

    public INamedTypeSymbol? ActionContext { get; }

    public INamedTypeSymbol? MjpegStream { get; }

    public INamedTypeSymbol? Blob { get; }

    public INamedTypeSymbol? Stream { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? ILogger { get; }

    public INamedTypeSymbol? IProgressOfT { get; }

    public INamedTypeSymbol? EventHandler { get; }

    public INamedTypeSymbol? EventHandlerOfT { get; }

    public INamedTypeSymbol? Action { get; }

    public INamedTypeSymbol? ActionOfT { get; }

    public INamedTypeSymbol? JsonPolymorphicAttribute { get; }

    public INamedTypeSymbol? JsonDerivedTypeAttribute { get; }

    public INamedTypeSymbol? AsyncStateMachineAttribute { get; }

    /// <summary>The known types of <paramref name="compilation"/>, or null if it does not use LabThings.</summary>
    public static KnownTypes? For(Compilation compilation)
    {
        var known = new KnownTypes(compilation);
        return known.Thing is null || known.AffordanceAttribute is null ? null : known;
    }

    /// <summary>The LabThings attribute on <paramref name="symbol"/> (the first, if several), or null.</summary>
    public AttributeData? AffordanceAttributeOf(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (InheritsFrom(attribute.AttributeClass, AffordanceAttribute))
            {
                return attribute;
            }
        }

        return null;
    }

    public static bool InheritsFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, baseType))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known)
        => known is not null && type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>The attribute's short name as written: <c>ThingSetting</c> for <c>ThingSettingAttribute</c>.</summary>
    public static string ShortName(AttributeData attribute)
    {
        var name = attribute.AttributeClass?.Name ?? "attribute";
        return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }

    /// <summary>The wire name: the attribute's <c>Name</c>, or snake_case of the member name.</summary>
    public static string WireNameOf(ISymbol member, AttributeData attribute)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == "Name" && argument.Value.Value is string name)
            {
                return name;
            }
        }

        return WireName.FromMember(member.Name);
    }
}
