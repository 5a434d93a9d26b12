using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LabThings.Analyzers;

/// <summary>
/// LT0001: the setter of a [ThingProperty] or [ThingSetting] data property (one with a compiler-generated backing
/// field: an auto-property, or one using <c>field</c>) must call <c>SetProperty</c>, which notifies observers and
/// saves settings. Functional properties (own backing storage) notify with NotifyPropertyChanged and are not checked.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SetPropertyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.SetterWithoutSetProperty];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.For(start.Compilation) is { ThingPropertyAttribute: not null } known)
            {
                start.RegisterSyntaxNodeAction(c => Analyze(c, known), SyntaxKind.PropertyDeclaration);
            }
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, KnownTypes known)
    {
        var declaration = (PropertyDeclarationSyntax)context.Node;
        var setter = declaration.AccessorList?.Accessors.FirstOrDefault(a => a.IsKind(SyntaxKind.SetAccessorDeclaration));
        if (setter is null
            || context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not { IsStatic: false } property
            || known.AffordanceAttributeOf(property) is not { } attribute
            || !KnownTypes.InheritsFrom(attribute.AttributeClass, known.ThingPropertyAttribute)
            || !KnownTypes.InheritsFrom(property.ContainingType, known.Thing))
        {
            return;
        }

        var isAuto = setter.Body is null && setter.ExpressionBody is null;
        if (!isAuto && (!HasBackingField(property) || CallsSetProperty(setter, context.SemanticModel, known, context.CancellationToken)))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.SetterWithoutSetProperty, setter.GetLocation(), property.Name));
    }

    /// <summary>Whether the compiler made a backing field for the property (as discovery decides data vs functional).</summary>
    private static bool HasBackingField(IPropertySymbol property)
        => property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    private static bool CallsSetProperty(AccessorDeclarationSyntax setter, SemanticModel model, KnownTypes known, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var invocation in setter.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { Name: "SetProperty" } method
                && SymbolEqualityComparer.Default.Equals(method.OriginalDefinition.ContainingType, known.Thing))
            {
                return true;
            }
        }

        return false;
    }
}
