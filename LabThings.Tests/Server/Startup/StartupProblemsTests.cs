using LabThings.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Server.Startup;

/// <summary>
/// The rows of issue 11's table, at start-up, for Things built without the analyzer: every problem once, naming the
/// type and member, in one exception whose message a person can act on.
/// </summary>
public sealed class StartupProblemsTests
{
    private const string Ns = "LabThings.Tests.Server.Startup";

    [Fact]
    public void SetterWithoutSetProperty_IsRefused_NamingEachSuchProperty()
    {
        var problems = MapThings(b => b.AddThing<SilentStage>("stage")).Problems;

        problems.Should().Equal(
            $"{Ns}.SilentStage.Position: the setter does not call SetProperty, so changes are never observed or saved (LT0001): write 'set => SetProperty(ref field, value);'",
            $"{Ns}.SilentStage.Label: the setter does not call SetProperty, so changes are never observed or saved (LT0001): write 'set => SetProperty(ref field, value);'");
    }

    [Fact]
    public void PrivateAffordance_IsRefused()
    {
        var problems = MapThings(b => b.AddThing<HiddenStage>("stage")).Problems;

        problems.Should().Equal(
            $"{Ns}.HiddenStage.Calibrate: [ThingAction] is on a non-public member, and would publish it over HTTP to every client (LT0003): make it public or remove the attribute");
    }

    [Fact]
    public void Streams_AreRefusedWithTheMemberAndWhatToUseInstead()
    {
        var problems = MapThings(b => b.AddThing<StreamingStage>("stage")).Problems;

        problems.Should().BeEquivalentTo(
            $"{Ns}.StreamingStage.Raw: the type Stream cannot be sent: a stream cannot be sent as JSON; return a Blob for binary data (LT0004)",
            $"{Ns}.StreamingStage.DownloadAsync, return value: the type Stream cannot be sent: a stream cannot be sent as JSON; return a Blob for binary data (LT0004)",
            $"{Ns}.StreamingStage.Upload, parameter 'data': the type Stream cannot be sent: a stream cannot be sent as JSON; return a Blob for binary data (LT0004)",
            $"{Ns}.StreamingStage.Frames: [MjpegStream] property must be of type MjpegStream, not Byte[] (LT0006): 'public MjpegStream Frames => GetStream();'");
    }

    [Fact]
    public void AsyncVoidAction_IsRefused_SoItCannotReportSuccessEarlyOrEndTheProcess()
    {
        var problems = MapThings(b => b.AddThing<AsyncVoidStage>("stage")).Problems;

        problems.Should().Equal(
            $"{Ns}.AsyncVoidStage.Home: the action is async void, so the server cannot wait for it and an exception in it would end the process (LT0002): return Task");
    }

    [Fact]
    public void ConstructorNeedingAPlainValue_IsRefusedWithTheFactoryAndInstanceOverloads()
    {
        var problems = MapThings(b => b.AddThing<SerialStage>("stage")).Problems;

        problems.Should().Equal(
            $"Thing 'stage' ({Ns}.SerialStage): its constructor needs string serialPort, which is not a service, so dependency injection cannot create it: "
            + "add it with a factory, AddThing(\"stage\", sp => new SerialStage(...)), or an instance, AddThing(\"stage\", new SerialStage(...))");
    }

    [Fact]
    public void ConstructorNeedingAPlainValue_StartsWhenAddedAsTheHintSays()
    {
        var app = Build(b => b.AddThing("stage", new SerialStage("/dev/ttyUSB0")).AddThing("other", _ => new SerialStage("/dev/ttyUSB1")));

        app.MapThings();

        app.Services.GetRequiredService<SerialStage>().Port.Should().Be("/dev/ttyUSB0");
    }

    [Fact]
    public void ConstructorThatThrows_IsReportedForTheThing_WithTheCauseInside()
    {
        var error = MapThings(b => b.AddThing<SerialStage>("stage", _ => throw new IOException("no such port: /dev/ttyUSB9")));

        error.Message.Should().Be(
            "LabThings cannot use the Things as declared (1 problem):" + Environment.NewLine
            + $"  - Thing 'stage' ({Ns}.SerialStage): its constructor or factory threw IOException: no such port: /dev/ttyUSB9");
        error.InnerException.Should().BeOfType<IOException>();
        error.StackTrace!.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Should().Contain("MapThings", "the container's frames are not in front of the message");
    }

    [Fact]
    public void EveryProblem_IsListedOnce_InOneMessageForAPerson_WithoutTheContainersStack()
    {
        var error = MapThings(b => b
            .AddThing<SilentStage>("stage")
            .AddThing<SilentStage>("second_stage")
            .AddThing<AsyncVoidStage>("homing")
            .AddThing<SerialStage>("serial"));

        var nl = Environment.NewLine;
        error.Message.Should().Be(
            "LabThings cannot use the Things as declared (4 problems):" + nl
            + $"  - {Ns}.SilentStage.Position: the setter does not call SetProperty, so changes are never observed or saved (LT0001): write 'set => SetProperty(ref field, value);'" + nl
            + $"  - {Ns}.SilentStage.Label: the setter does not call SetProperty, so changes are never observed or saved (LT0001): write 'set => SetProperty(ref field, value);'" + nl
            + $"  - {Ns}.AsyncVoidStage.Home: the action is async void, so the server cannot wait for it and an exception in it would end the process (LT0002): return Task" + nl
            + $"  - Thing 'serial' ({Ns}.SerialStage): its constructor needs string serialPort, which is not a service, so dependency injection cannot create it: "
            + "add it with a factory, AddThing(\"serial\", sp => new SerialStage(...)), or an instance, AddThing(\"serial\", new SerialStage(...))" + nl
            + "Each LT code is explained in docs/diagnostics.md (https://github.com/labthings-dotnet/labthings-dotnet/blob/main/docs/diagnostics.md); the LabThings analyzer reports them while you type.");

        // What "Unhandled exception." prints: the message, then a stack that starts at the application's MapThings() call.
        error.InnerException.Should().BeNull();
        error.ToString().Should().NotContain("Microsoft.Extensions.DependencyInjection.ServiceLookup").And.NotContain("CallSite");
        var frames = error.StackTrace!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        frames[0].Should().Contain("ThingHost.Validate");
        frames[1].Should().Contain("MapThings");
        frames[2].Should().Contain(nameof(StartupProblemsTests), "the next frame is the caller of MapThings()");
    }

    private static ThingDefinitionException MapThings(Action<global::LabThings.Server.LabThingsBuilder> addThings)
    {
        var app = Build(addThings);
        var act = () => app.MapThings();
        return act.Should().Throw<ThingDefinitionException>().Which;
    }

    private static WebApplication Build(Action<global::LabThings.Server.LabThingsBuilder> addThings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        addThings(builder.Services.AddLabThings(o => o.SettingsFolder = Path.Combine(Path.GetTempPath(), "labthings-tests", Guid.NewGuid().ToString("N"))));
        return builder.Build();
    }
}
