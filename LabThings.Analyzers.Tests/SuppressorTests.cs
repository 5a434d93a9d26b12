using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace LabThings.Analyzers.Tests;

public sealed class SuppressorTests
{
    [Fact]
    public async Task CA1822_OnAffordances_IsSuppressed_ElsewhereItIsKept()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingAction] public int {|#0:Add|}(int a, int b) => a + b;
                [ThingProperty] public int {|#1:Answer|} => 42;
                public int {|#2:Helper|}() => 1;
                [HttpEndpoint("GET", "files")] public int {|#3:Files|}() => 0;
            }
            """;
        var test = new AnalyzerTest<InstanceAffordanceSuppressor>(
            source,
            DiagnosticResult.CompilerWarning("CA1822").WithLocation(0).WithArguments("Add").WithIsSuppressed(true),
            DiagnosticResult.CompilerWarning("CA1822").WithLocation(1).WithArguments("Answer").WithIsSuppressed(true),
            DiagnosticResult.CompilerWarning("CA1822").WithLocation(2).WithArguments("Helper").WithIsSuppressed(false),
            DiagnosticResult.CompilerWarning("CA1822").WithLocation(3).WithArguments("Files").WithIsSuppressed(true));
        test.ExtraAnalyzers.Add(new FakeMarkMembersAsStatic());
        await test.RunAsync();
    }

    /// <summary>
    /// Stands in for the .NET SDK's CA1822 analyzer (not loadable here without its package): reports CA1822 on every
    /// instance method and property of a class, at the member's name, as the real one does on members that use no instance data.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class FakeMarkMembersAsStatic : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("CA1822", "Mark members as static", "Member '{0}' does not access instance data and can be marked as static", "Performance", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(
                c =>
                {
                    if (!c.Symbol.IsStatic && !c.Symbol.IsImplicitlyDeclared && c.Symbol is IPropertySymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary })
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Rule, c.Symbol.Locations[0], c.Symbol.Name));
                    }
                },
                SymbolKind.Method,
                SymbolKind.Property);
        }
    }
}
