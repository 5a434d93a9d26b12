namespace LabThings.Analyzers.Tests;

public sealed class ThingAnalyzerTests
{
    [Fact]
    public async Task AsyncVoidAction_IsReported_AsyncTaskAndPlainVoidAreNot()
    {
        const string source = """
            using System.Threading.Tasks;
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingAction] public async void {|#0:Home|}() => await Task.Delay(1);
                [ThingAction] public async Task Park() => await Task.Delay(1);
                [ThingAction] public void Stop() { }
                public async void NotAnAction() => await Task.Delay(1);
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(source, Expect.Diagnostic("LT0002", 0).WithArguments("Home")).RunAsync();
    }

    [Fact]
    public async Task NonPublicAffordances_AreReported_WithTheirAccessibilityAndAttribute()
    {
        const string source = """
            using System;
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] private double {|#0:Position|} { get; set => SetProperty(ref field, value); }
                [ThingAction] internal void {|#1:Home|}() { }
                [ThingEvent] protected event EventHandler<int>? {|#2:Moved|};
                [ThingSetting] public string Label { get; private set => SetProperty(ref field, value); } = "";
                private void NotAnAffordance() { }
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(
            source,
            Expect.Diagnostic("LT0003", 0).WithArguments("Position", "private", "ThingProperty"),
            Expect.Diagnostic("LT0003", 1).WithArguments("Home", "internal", "ThingAction"),
            Expect.Diagnostic("LT0003", 2).WithArguments("Moved", "protected", "ThingEvent")).RunAsync();
    }

    [Fact]
    public async Task UnsupportedTypes_AreReported_WhereverAValueIsSent()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading.Tasks;
            using LabThings;
            using LabThings.Outputs;

            public interface IShape { double Area { get; } }
            public abstract class Reading { public double Value { get; set; } }
            public sealed record Capture(string Name, Stream Data);

            public sealed unsafe class Stage : Thing
            {
                [ThingProperty] public Stream {|#0:Raw|} => Stream.Null;
                [ThingProperty] public Func<int> {|#1:Callback|} => () => 1;
                [ThingProperty] public IShape? {|#2:Shape|} => null;
                [ThingProperty] public Reading? {|#3:Last|} => null;
                [ThingProperty] public MjpegStream? {|#4:Live|} => null;
                [ThingAction] public void Move(int* {|#5:target|}) { }
                [ThingAction] public Task<Stream> {|#6:Download|}() => Task.FromResult(Stream.Null);
                [ThingAction] public List<Capture> {|#7:Captures|}() => [];
                [ThingEvent] public event EventHandler<Task>? {|#8:Finished|};
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(
            source,
            Expect.Diagnostic("LT0004", 0).WithArguments("Property 'Raw'", "System.IO.Stream", "a stream cannot be sent as JSON; return a Blob for binary data"),
            Expect.Diagnostic("LT0004", 1).WithArguments("Property 'Callback'", "System.Func<int>", "a delegate is code, not data"),
            Expect.Diagnostic("LT0004", 2).WithArguments("Property 'Shape'", "IShape?", "an interface has no known shape to read a value into; use a concrete type"),
            Expect.Diagnostic("LT0004", 3).WithArguments("Property 'Last'", "Reading?", "an abstract class has no known shape to read a value into; use a concrete type, or list its subclasses with [JsonDerivedType]"),
            Expect.Diagnostic("LT0004", 4).WithArguments("Property 'Live'", "LabThings.Outputs.MjpegStream?", "a live stream is published with [MjpegStream] on a get-only property, not sent as a value"),
            Expect.Diagnostic("LT0004", 5).WithArguments("Parameter 'target' of action 'Move'", "int*", "a pointer has no JSON form"),
            Expect.Diagnostic("LT0004", 6).WithArguments("The result of action 'Download'", "System.IO.Stream", "a stream cannot be sent as JSON; return a Blob for binary data"),
            Expect.Diagnostic("LT0004", 7).WithArguments("The result of action 'Captures'", "System.Collections.Generic.List<Capture>", "a stream cannot be sent as JSON; return a Blob for binary data (at Data)"),
            Expect.Diagnostic("LT0004", 8).WithArguments("The payload of event 'Finished'", "System.Threading.Tasks.Task", "a task is not a value; await it and send the result"))
        {
            SolutionTransforms = { (solution, project) => solution.WithProjectCompilationOptions(project, ((Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)solution.GetProject(project)!.CompilationOptions!).WithAllowUnsafe(true)) },
        }.RunAsync();
    }

    [Fact]
    public async Task SupportedTypes_AndFrameworkSuppliedParameters_AreNotReported()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Text.Json.Nodes;
            using System.Text.Json.Serialization;
            using System.Threading;
            using System.Threading.Tasks;
            using LabThings;
            using LabThings.Outputs;
            using Microsoft.Extensions.Logging;

            [JsonDerivedType(typeof(Circle), "circle")]
            public abstract record Shape;
            public sealed record Circle(double Radius) : Shape;
            public sealed record Point(double X, double Y, IReadOnlyList<int> Tags, Dictionary<string, DateTime> Seen);

            public sealed class Stage : Thing
            {
                [ThingProperty] public Point Where { get; set => SetProperty(ref field, value); } = new(0, 0, [], []);
                [ThingProperty] public IReadOnlyList<double> Limits => [];
                [ThingProperty] public Shape? Outline => null;
                [ThingProperty] public JsonNode? Extra => null;
                [ThingProperty] public int? Count => null;
                [MjpegStream] public MjpegStream Stream => GetStream();
                [ThingAction] public async Task<Blob> CaptureAsync(int width, CancellationToken cancellationToken, ILogger logger, IProgress<double> progress, ActionContext context)
                {
                    await Task.Delay(1, cancellationToken);
                    return Blob.FromBytes(new byte[width], "image/jpeg");
                }
                [ThingAction] public ValueTask<IEnumerable<Point>> Scan() => new([]);
                [ThingEvent] public event EventHandler<Point>? Moved;
                [ThingEvent] public event Action? Done;
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(source).RunAsync();
    }

    [Fact]
    public async Task RefOutAndInParameters_AreReported()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingAction] public void Measure(ref int {|#0:a|}, out int {|#1:b|}, in int {|#2:c|}) { b = a + c; }
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(
            source,
            Expect.Diagnostic("LT0005", 0).WithArguments("a", "Measure", "ref"),
            Expect.Diagnostic("LT0005", 1).WithArguments("b", "Measure", "out"),
            Expect.Diagnostic("LT0005", 2).WithArguments("c", "Measure", "in")).RunAsync();
    }

    [Fact]
    public async Task MjpegStreamOnAnotherType_IsReported()
    {
        const string source = """
            using LabThings;
            using LabThings.Outputs;
            public sealed class Camera : Thing
            {
                [MjpegStream] public byte[] {|#0:Frames|} => [];
                [MjpegStream] public MjpegStream Stream => GetStream();
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(source, Expect.Diagnostic("LT0006", 0).WithArguments("Frames", "byte[]")).RunAsync();
    }

    [Fact]
    public async Task TwoMembersWithOneWireName_AreReported_IncludingExplicitNamesAsyncSuffixesAndBaseClasses()
    {
        const string source = """
            using System.Threading.Tasks;
            using LabThings;
            public class StageBase : Thing
            {
                [ThingProperty] public double FrameRate => 1;
            }

            public sealed class Stage : StageBase
            {
                [ThingAction] public Task {|#0:FrameRateAsync|}() => Task.CompletedTask;
                [ThingProperty] public int Speed => 1;
                [ThingAction(Name = "SPEED")] public void {|#1:Go|}() { }
                [ThingAction(Name = "speed_2")] public void Other() { }
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(
            source,
            Expect.Diagnostic("LT0007", 0).WithArguments("FrameRateAsync", "FrameRate", "frame_rate"),
            Expect.Diagnostic("LT0007", 1).WithArguments("Go", "Speed", "SPEED")).RunAsync();
    }

    [Fact]
    public async Task AnOverrideOfAnAffordance_IsTheSameAffordance_NotADuplicate()
    {
        const string source = """
            using LabThings;
            public class StageBase : Thing
            {
                [ThingProperty] public virtual double Position => 1;
            }

            public sealed class Stage : StageBase
            {
                public override double Position => 2;
            }
            """;
        await new AnalyzerTest<ThingAnalyzer>(source).RunAsync();
    }
}
