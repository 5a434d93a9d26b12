using Microsoft.CodeAnalysis.Testing;

namespace LabThings.Analyzers.Tests;

public sealed class SetPropertyAnalyzerTests
{
    [Fact]
    public async Task AutoSetter_OnThingProperty_IsReported()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public double Position { get; {|#0:set;|} }
            }
            """;
        await new AnalyzerTest<SetPropertyAnalyzer>(source, Expect.Diagnostic("LT0001", 0).WithArguments("Position")).RunAsync();
    }

    [Fact]
    public async Task PrivateAutoSetter_OnThingSetting_IsReported()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingSetting] public string Label { get; {|#0:private set;|} } = "";
            }
            """;
        await new AnalyzerTest<SetPropertyAnalyzer>(source, Expect.Diagnostic("LT0001", 0).WithArguments("Label")).RunAsync();
    }

    [Fact]
    public async Task FieldSetterWithoutSetProperty_IsReported()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                [ThingProperty] public int Speed { get; {|#0:set { field = value; System.Console.WriteLine(value); }|} }
            }
            """;
        await new AnalyzerTest<SetPropertyAnalyzer>(source, Expect.Diagnostic("LT0001", 0).WithArguments("Speed")).RunAsync();
    }

    [Fact]
    public async Task SettersThatCallSetProperty_AndFunctionalOrPlainProperties_AreNotReported()
    {
        const string source = """
            using LabThings;
            public sealed class Stage : Thing
            {
                private int _steps;

                [ThingProperty] public double Position { get; set => SetProperty(ref field, value); }

                [ThingSetting] public string Label { get; set { if (value.Length < 100) { SetProperty(ref field, value); } } } = "";

                // Functional: its own storage; it notifies with NotifyPropertyChanged.
                [ThingProperty] public int Steps { get => _steps; set { _steps = value; NotifyPropertyChanged(nameof(Steps)); } }

                [ThingProperty] public int ReadOnlyCount { get; }

                [ThingProperty] public int Initialised { get; init; }

                public int NotAnAffordance { get; set; }
            }

            public sealed class NotAThing
            {
                [ThingProperty] public int Value { get; set; }
            }
            """;
        await new AnalyzerTest<SetPropertyAnalyzer>(source).RunAsync();
    }
}
