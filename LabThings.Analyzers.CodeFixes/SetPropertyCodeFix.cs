using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace LabThings.Analyzers;

/// <summary>
/// Fixes LT0001 where the fix is mechanical: an auto setter (<c>set;</c>) or one that only stores the value
/// (<c>set => field = value;</c>) becomes <c>set => SetProperty(ref field, value);</c>. Needs C# 14 (the
/// <c>field</c> keyword), the default on .NET 10.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SetPropertyCodeFix))]
[Shared]
public sealed class SetPropertyCodeFix : CodeFixProvider
{
    private const string Title = "Store the value with SetProperty";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Descriptors.SetterWithoutSetProperty.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not AccessorDeclarationSyntax setter
            || root.SyntaxTree.Options is not CSharpParseOptions { LanguageVersion: >= (LanguageVersion)1400 }
            || !OnlyStoresValue(setter))
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(Title, c => FixAsync(context.Document, setter, c), equivalenceKey: Title),
                diagnostic);
        }
    }

    /// <summary><c>set;</c>, <c>set => field = value;</c> or <c>set { field = value; }</c>.</summary>
    private static bool OnlyStoresValue(AccessorDeclarationSyntax setter)
    {
        if (setter.Body is null && setter.ExpressionBody is null)
        {
            return true;
        }

        var expression = setter.ExpressionBody?.Expression
            ?? (setter.Body is { Statements.Count: 1 } body && body.Statements[0] is ExpressionStatementSyntax single ? single.Expression : null);
        return expression is AssignmentExpressionSyntax { Left: var left, Right: IdentifierNameSyntax { Identifier.ValueText: "value" } }
               && left.IsKind(SyntaxKind.FieldExpression);
    }

    private static async Task<Document> FixAsync(Document document, AccessorDeclarationSyntax setter, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        // SetProperty(ref field, value), with 'field' as the keyword (parsing the text alone would read an identifier).
        var call = SyntaxFactory.InvocationExpression(
            SyntaxFactory.IdentifierName("SetProperty"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(
            [
                SyntaxFactory.Argument(SyntaxFactory.FieldExpression()).WithRefKindKeyword(SyntaxFactory.Token(SyntaxKind.RefKeyword)),
                SyntaxFactory.Argument(SyntaxFactory.IdentifierName("value")),
            ])));
        var fixedSetter = setter
            .WithBody(null)
            .WithExpressionBody(SyntaxFactory.ArrowExpressionClause(call))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken))
            .WithTriviaFrom(setter)
            .WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root!.ReplaceNode(setter, fixedSetter));
    }
}
