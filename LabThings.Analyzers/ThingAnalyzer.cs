using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LabThings.Analyzers;

/// <summary>
/// Checks each Thing type's affordances: async void actions (LT0002), non-public affordances (LT0003), types
/// LabThings cannot send (LT0004), ref/out/in action parameters (LT0005), [MjpegStream] on another type (LT0006)
/// and two affordances with one wire name (LT0007). LT0001 is <see cref="SetPropertyAnalyzer"/>'s.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThingAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        Descriptors.AsyncVoidAction,
        Descriptors.NonPublicAffordance,
        Descriptors.UnsupportedType,
        Descriptors.ByRefParameter,
        Descriptors.MjpegStreamType,
        Descriptors.DuplicateWireName,
    ];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.For(start.Compilation) is { } known)
            {
                start.RegisterSymbolAction(c => AnalyzeType(c, known), SymbolKind.NamedType);
            }
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class || SymbolEqualityComparer.Default.Equals(type, known.Thing) || !KnownTypes.InheritsFrom(type, known.Thing))
        {
            return;
        }

        foreach (var member in type.GetMembers())
        {
            if (!member.IsImplicitlyDeclared && known.AffordanceAttributeOf(member) is { } attribute)
            {
                AnalyzeMember(context, known, member, attribute);
            }
        }

        ReportDuplicateNames(context, known, type);
    }

    private static void AnalyzeMember(SymbolAnalysisContext context, KnownTypes known, ISymbol member, AttributeData attribute)
    {
        var location = member.Locations.FirstOrDefault() ?? Location.None;
        if (member.DeclaredAccessibility != Microsoft.CodeAnalysis.Accessibility.Public)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.NonPublicAffordance, location, member.Name, AccessibilityText(member.DeclaredAccessibility), KnownTypes.ShortName(attribute)));
        }

        switch (member)
        {
            case IPropertySymbol property when KnownTypes.Is(attribute.AttributeClass, known.MjpegStreamAttribute):
                if (!KnownTypes.Is(property.Type, known.MjpegStream))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.MjpegStreamType, location, property.Name, property.Type.ToDisplayString()));
                }

                break;
            case IPropertySymbol property when KnownTypes.InheritsFrom(attribute.AttributeClass, known.ThingPropertyAttribute):
                ReportType(context, known, property.Type, location, $"Property '{property.Name}'");
                break;
            case IMethodSymbol method when KnownTypes.Is(attribute.AttributeClass, known.ThingActionAttribute):
                AnalyzeAction(context, known, method, location);
                break;
            case IEventSymbol thingEvent when KnownTypes.Is(attribute.AttributeClass, known.ThingEventAttribute):
                if (thingEvent.Type is INamedTypeSymbol { TypeArguments.Length: 1 } handler
                    && (KnownTypes.Is(handler, known.EventHandlerOfT) || KnownTypes.Is(handler, known.ActionOfT)))
                {
                    ReportType(context, known, handler.TypeArguments[0], location, $"The payload of event '{thingEvent.Name}'");
                }

                break;
        }
    }

    private static void AnalyzeAction(SymbolAnalysisContext context, KnownTypes known, IMethodSymbol method, Location location)
    {
        if (method.IsAsync && method.ReturnsVoid)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncVoidAction, location, method.Name));
        }

        foreach (var parameter in method.Parameters)
        {
            var at = parameter.Locations.FirstOrDefault() ?? location;
            if (parameter.RefKind != RefKind.None)
            {
                var kind = parameter.RefKind switch
                {
                    RefKind.Out => "out",
                    RefKind.Ref => "ref",
                    _ => "in",
                };
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.ByRefParameter, at, parameter.Name, method.Name, kind));
                continue;
            }

            if (!IsSuppliedByFramework(parameter.Type, known))
            {
                ReportType(context, known, parameter.Type, at, $"Parameter '{parameter.Name}' of action '{method.Name}'");
            }
        }

        if (!method.ReturnsVoid && !KnownTypes.Is(method.ReturnType, known.Task) && !KnownTypes.Is(method.ReturnType, known.ValueTask))
        {
            var output = method.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } wrapper
                && (KnownTypes.Is(wrapper, known.TaskOfT) || KnownTypes.Is(wrapper, known.ValueTaskOfT))
                ? wrapper.TypeArguments[0]
                : method.ReturnType;
            ReportType(context, known, output, location, $"The result of action '{method.Name}'");
        }
    }

    private static bool IsSuppliedByFramework(ITypeSymbol type, KnownTypes known)
        => KnownTypes.Is(type, known.CancellationToken)
           || KnownTypes.Is(type, known.ILogger)
           || KnownTypes.Is(type, known.ActionContext)
           || (type is INamedTypeSymbol { TypeArguments.Length: 1 } progress && KnownTypes.Is(progress, known.IProgressOfT)
               && progress.TypeArguments[0].SpecialType == SpecialType.System_Double);

    private static void ReportType(SymbolAnalysisContext context, KnownTypes known, ITypeSymbol type, Location location, string what)
    {
        if (TypeShapes.Problem(type, known) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsupportedType, location, what, type.ToDisplayString(), problem));
        }
    }

    /// <summary>
    /// LT0007: wire names are unique per Thing, ignoring case, across the type and its bases (as discovery sees them:
    /// each member once, the most derived declaration). Reported on every member of this type that repeats a name.
    /// </summary>
    private static void ReportDuplicateNames(SymbolAnalysisContext context, KnownTypes known, INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = type; t is not null && !SymbolEqualityComparer.Default.Equals(t, known.Thing); t = t.BaseType)
        {
            chain.Insert(0, t);
        }

        // Walk from the most derived type, so that an override hides the member it overrides; then list base first.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var perType = new List<List<(ISymbol Member, string WireName)>>();
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var declared = new List<(ISymbol Member, string WireName)>();
            foreach (var member in chain[i].GetMembers())
            {
                if (member.IsImplicitlyDeclared || !seen.Add(member.Kind + ":" + member.Name))
                {
                    continue;
                }

                var attribute = known.AffordanceAttributeOf(member) ?? (member.IsOverride ? InheritedAttribute(member, known) : null);
                if (attribute is not null)
                {
                    declared.Add((member, KnownTypes.WireNameOf(member, attribute)));
                }
            }

            perType.Insert(0, declared);
        }

        var members = perType.SelectMany(m => m).ToList();
        foreach (var group in members.GroupBy(m => m.WireName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var (member, wireName) in group.Skip(1))
            {
                if (SymbolEqualityComparer.Default.Equals(member.ContainingType, type))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.DuplicateWireName, member.Locations.FirstOrDefault() ?? Location.None, member.Name, first.Member.Name, wireName));
                }
            }
        }
    }

    private static AttributeData? InheritedAttribute(ISymbol member, KnownTypes known)
    {
        for (var overridden = Overridden(member); overridden is not null; overridden = Overridden(overridden))
        {
            if (known.AffordanceAttributeOf(overridden) is { } attribute)
            {
                return attribute;
            }
        }

        return null;
    }

    private static ISymbol? Overridden(ISymbol member) => member switch
    {
        IPropertySymbol p => p.OverriddenProperty,
        IMethodSymbol m => m.OverriddenMethod,
        IEventSymbol e => e.OverriddenEvent,
        _ => null,
    };

    private static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "not public",
    };
}
