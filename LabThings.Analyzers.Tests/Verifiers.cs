using System.Collections.Immutable;
using LabThings.Outputs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace LabThings.Analyzers.Tests;

/// <summary>
/// Compiles Thing sources against the real LabThings.Core and the running .NET and ASP.NET Core shared frameworks
/// (no reference packages are downloaded), with C# preview so that sources may use the <c>field</c> keyword.
/// </summary>
internal static class References
{
    public static readonly ImmutableArray<MetadataReference> All = Load();

    public static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(All);
    }

    private static ImmutableArray<MetadataReference> Load()
    {
        var directories = new[]
        {
            Path.GetDirectoryName(typeof(object).Assembly.Location)!,
            Path.GetDirectoryName(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location)!,
        };
        return
        [
            .. directories.Distinct().SelectMany(d => Directory.GetFiles(d, "*.dll")).Where(IsManaged).Select(p => MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(Thing).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(MjpegStream).Assembly.Location),
        ];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}

/// <summary>Runs one analyzer (and optionally suppressors) on a source and compares its diagnostics.</summary>
internal sealed class AnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public AnalyzerTest(string source, params DiagnosticResult[] expected)
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        References.Configure(TestState);
        TestCode = source;
        ExpectedDiagnostics.AddRange(expected);
    }

    public List<DiagnosticAnalyzer> ExtraAnalyzers { get; } = [];

    protected override ParseOptions CreateParseOptions()
        => ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Preview);

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers()
        => base.GetDiagnosticAnalyzers().Concat(ExtraAnalyzers);
}

/// <summary>Runs an analyzer and a code fix on a source and compares the fixed source.</summary>
internal sealed class CodeFixTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public CodeFixTest(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        References.Configure(TestState);
        References.Configure(FixedState);
        TestCode = source;
        FixedCode = fixedSource;
        ExpectedDiagnostics.AddRange(expected);
    }

    protected override ParseOptions CreateParseOptions()
        => ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Preview);
}

/// <summary>Shorthands for expected diagnostics.</summary>
internal static class Expect
{
    public static DiagnosticResult Diagnostic(string id, int markup) => new DiagnosticResult(id, DiagnosticSeverity.Error).WithLocation(markup);
}
