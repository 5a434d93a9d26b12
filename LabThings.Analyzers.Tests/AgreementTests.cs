using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LabThings.Analyzers.Tests;

/// <summary>
/// The analyzer and the server's start-up check implement the same rules twice (on symbols and on reflection). This
/// compiles Things with each mistake, runs the analyzer on the source, loads the compiled assembly and discovers each
/// Thing as the server would: both must find the same LT codes in each type.
/// </summary>
public sealed partial class AgreementTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading.Tasks;
        using LabThings;
        using LabThings.Outputs;

        namespace Agreement;

        public interface IShape { double Area { get; } }
        public abstract class Reading { public double Value { get; set; } }
        public sealed record Capture(string Name, Stream Data);

        public sealed class Fine : Thing
        {
            [ThingProperty] public double Position { get; set => SetProperty(ref field, value); }
            [ThingProperty] public int Serial { get; init; }
            [ThingProperty] public List<int> Tags => [];
            [ThingProperty] public System.Collections.Immutable.IImmutableList<string> Names => System.Collections.Immutable.ImmutableList<string>.Empty;
            [ThingProperty] public IReadOnlyDictionary<string, double> Limits => new Dictionary<string, double>();
            [ThingProperty] public System.Collections.IList Loose => new List<object>();
            [ThingAction] public async Task<int> MoveAsync(double target) { await Task.Yield(); return (int)target; }
            [ThingEvent] public event EventHandler<double>? Moved;
            [MjpegStream] public MjpegStream Stream => GetStream();
        }

        public sealed class Silent : Thing
        {
            [ThingProperty] public double Position { get; set; }
            [ThingSetting] public string Label { get; private set { field = value; } } = "";
        }

        public sealed class AsyncVoid : Thing
        {
            [ThingAction] public async void Home() => await Task.Yield();
        }

        public sealed class Hidden : Thing
        {
            [ThingProperty] internal double Offset => 1;
            [ThingAction] private void Calibrate() { }
        }

        public sealed class Unsendable : Thing
        {
            [ThingProperty] public Stream Raw => Stream.Null;
            [ThingProperty] public Func<int> Callback => () => 1;
            [ThingProperty] public IShape? Shape => null;
            [ThingProperty] public Reading? Last => null;
            [ThingAction] public Task<Stream> DownloadAsync() => Task.FromResult(Stream.Null);
            [ThingAction] public List<Capture> Captures() => [];
            [ThingAction] public void Upload(Stream data) { }
            [ThingEvent] public event EventHandler<Task>? Finished;
        }

        public sealed class ByRef : Thing
        {
            [ThingAction] public void Measure(ref int a, out int b) { b = a; }
        }

        public sealed class WrongStream : Thing
        {
            [MjpegStream] public byte[] Frames => [];
        }

        public sealed class SameName : Thing
        {
            [ThingProperty] public double FrameRate => 1;
            [ThingAction] public Task FrameRateAsync() => Task.CompletedTask;
        }
        """;

    [Fact]
    public async Task AnalyzerAndStartup_FindTheSameCodes_InEveryThing()
    {
        var compilation = CSharpCompilation.Create(
            "Agreement",
            [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Preview))],
            References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var diagnostics = await compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ThingAnalyzer(), new SetPropertyAnalyzer()))
            .GetAllDiagnosticsAsync();
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("LT", StringComparison.Ordinal))
            .Should().BeEmpty("the source must compile");
        var model = compilation.GetSemanticModel(compilation.SyntaxTrees[0]);
        var byAnalyzer = diagnostics.Where(d => d.Id.StartsWith("LT", StringComparison.Ordinal))
            .Select(d => (Type: TypeAt(model, d.Location), d.Id))
            .ToLookup(d => d.Type, d => d.Id);

        using var image = new MemoryStream();
        compilation.Emit(image).Success.Should().BeTrue();
        var context = new AssemblyLoadContext("agreement", isCollectible: true);
        try
        {
            image.Position = 0;
            var assembly = context.LoadFromStream(image);
            var things = assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Thing))).ToList();
            things.Should().HaveCount(8);
            foreach (var type in things)
            {
                var problems = new List<string>();
                ThingDefinitions.TryGet(type, problems);
                problems.Where(p => !Code().IsMatch(p)).Should().BeEmpty("every start-up problem of these mistakes names its LT code");
                var atStartup = problems.Select(p => Code().Match(p).Groups[1].Value).Order();

                atStartup.Should().Equal(byAnalyzer[type.Name].Order(), $"{type.Name}: the analyzer and the start-up check agree");
                if (type.Name == "Fine")
                {
                    atStartup.Should().BeEmpty();
                }
                else
                {
                    atStartup.Should().NotBeEmpty();
                }
            }
        }
        finally
        {
            context.Unload();
        }
    }

    private static string TypeAt(SemanticModel model, Location location)
        => model.GetEnclosingSymbol(location.SourceSpan.Start) is { } symbol
            ? (symbol as INamedTypeSymbol ?? symbol.ContainingType).Name
            : "";

    [GeneratedRegex(@"\((LT\d{4})\)")]
    private static partial Regex Code();
}
