using System.Linq;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LabThings.Analyzers;

/// <summary>
/// Suppresses CA1822 ("Mark members as static") on members that carry a LabThings attribute: the server calls
/// actions and reads properties on the Thing instance, and discovery refuses static affordances.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InstanceAffordanceSuppressor : DiagnosticSuppressor
{
    /// <inheritdoc />
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = [Descriptors.InstanceActionSuppression];

    /// <inheritdoc />
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        if (KnownTypes.For(context.Compilation) is not { } known)
        {
            return;
        }

        foreach (var diagnostic in context.ReportedDiagnostics)
        {
            var tree = diagnostic.Location.SourceTree;
            if (tree is null)
            {
                continue;
            }

            var model = context.GetSemanticModel(tree);
            var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
            var symbol = model.GetDeclaredSymbol(node, context.CancellationToken);
            if (symbol is IMethodSymbol { AssociatedSymbol: { } owner })
            {
                // CA1822 on an accessor: the attribute is on the property.
                symbol = owner;
            }

            // An affordance, or an [HttpEndpoint] method: the server calls both on the Thing's instance.
            if (symbol is not null && (known.AffordanceAttributeOf(symbol) is not null
                || symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, known.HttpEndpointAttribute))))
            {
                context.ReportSuppression(Suppression.Create(Descriptors.InstanceActionSuppression, diagnostic));
            }
        }
    }
}
