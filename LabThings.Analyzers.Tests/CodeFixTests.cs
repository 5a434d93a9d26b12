using Microsoft.CodeAnalysis.Testing;

namespace LabThings.Analyzers.Tests;

public sealed class CodeFixTests
{
    [Fact]
    public async Task AutoSetters_BecomeSetPropertyCalls_KeepingTheirAccessibility()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public double Position { get; {|#0:set;|} }
                [ThingSetting] public string Label { get; {|#1:private set;|} } = "";
            }
            """;
        const string fixedSource = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public double Position { get; set => SetProperty(ref field, value); }
                [ThingSetting] public string Label { get; private set => SetProperty(ref field, value); } = "";
            }
            """;
        await new CodeFixTest<SetPropertyAnalyzer, SetPropertyCodeFix>(
            source,
            fixedSource,
            Expect.Diagnostic("LT0001", 0).WithArguments("Position"),
            Expect.Diagnostic("LT0001", 1).WithArguments("Label")).RunAsync();
    }

    [Fact]
    public async Task SetterThatOnlyStoresTheField_BecomesASetPropertyCall()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public int Speed { get; {|#0:set { field = value; }|} }
            }
            """;
        const string fixedSource = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public int Speed { get; set => SetProperty(ref field, value); }
            }
            """;
        await new CodeFixTest<SetPropertyAnalyzer, SetPropertyCodeFix>(source, fixedSource, Expect.Diagnostic("LT0001", 0).WithArguments("Speed")).RunAsync();
    }

    [Fact]
    public async Task SetterThatDoesMore_GetsNoMechanicalFix()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public int Speed { get; {|#0:set { field = value; System.Console.WriteLine(value); }|} }
            }
            """;
        await new CodeFixTest<SetPropertyAnalyzer, SetPropertyCodeFix>(source, source, Expect.Diagnostic("LT0001", 0).WithArguments("Speed")).RunAsync();
    }

    [Fact]
    public async Task AsyncVoidAction_ReturnsTask()
    {
        const string source = """
            using System.Threading.Tasks;
            using LabThings;
            public sealed class Stage : Thing
            {
                /// <summary>Moves home.</summary>
                [ThingAction]
                public async void {|#0:Home|}()
                {
                    await Task.Delay(10);
                }
            }
            """;
        const string fixedSource = """
            using System.Threading.Tasks;
            using LabThings;
            public sealed class Stage : Thing
            {
                /// <summary>Moves home.</summary>
                [ThingAction]
                public async Task Home()
                {
                    await Task.Delay(10);
                }
            }
            """;
        await new CodeFixTest<ThingAnalyzer, AsyncVoidActionCodeFix>(source, fixedSource, Expect.Diagnostic("LT0002", 0).WithArguments("Home")).RunAsync();
    }

    [Fact]
    public async Task AsyncVoidAction_WithoutUsingTasks_ReturnsAQualifiedTask()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingAction] public async void {|#0:Home|}() => await System.Threading.Tasks.Task.Yield();
            }
            """;
        const string fixedSource = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingAction] public async System.Threading.Tasks.Task Home() => await System.Threading.Tasks.Task.Yield();
            }
            """;
        await new CodeFixTest<ThingAnalyzer, AsyncVoidActionCodeFix>(source, fixedSource, Expect.Diagnostic("LT0002", 0).WithArguments("Home")).RunAsync();
    }
}
