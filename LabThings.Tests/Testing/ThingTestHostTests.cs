using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Testing;

/// <summary>The testing package's fake host: a Thing without a server, its settings, actions, notifications and logs.</summary>
public sealed class ThingTestHostTests
{
    private readonly RecordingDriver _driver = new();

    [Fact]
    public async Task Create_GivesTheConstructorItsServicesAndTheSlotsTheirThings()
    {
        await using var host = CreateBench();

        host.Name.Should().Be("bench");
        host.Thing.Name.Should().Be("bench", "the Thing is attached, as on a server");
        host.Thing.Sensor.Should().BeOfType<FakeSensor>();
        host.Thing.Open = true;
        _driver.Moves.Should().Equal(true);
    }

    [Fact]
    public async Task Create_ConstructorSlot_IsFilledWithTheThingItNames()
    {
        await using var host = ThingTestHost.Create<Gauge>(o => o.UseThing("spare", new FakeSensor(1)).UseThing("main", new FakeSensor(7)));

        host.Thing.Value.Should().Be(7);
        var missing = () => ThingTestHost.Create<Gauge>(o => o.UseThing("spare", new FakeSensor(1)));
        missing.Should().Throw<InvalidOperationException>().WithMessage("*Gauge's slot sensor*names the Thing 'main'*UseThing(\"main\"*");
    }

    [Fact]
    public void Create_ConstructorServiceMissing_SaysWhereToGiveIt()
    {
        var act = () => ThingTestHost.Create<Bench>(o => o.UseThing("sensor", new FakeSensor(1)));

        act.Should().Throw<InvalidOperationException>().WithMessage("*Bench could not be created*IShutterDriver*ThingTestOptions.Services*");
    }

    [Fact]
    public void Create_SlotNobodyFills_NamesTheSlot()
    {
        var act = () => ThingTestHost.Create<Bench>(o => o.Services.AddSingleton<IShutterDriver>(_driver));

        act.Should().Throw<InvalidOperationException>().WithMessage("*Bench's slot Sensor (ISensor, One) needs a Thing*UseThing*");
    }

    [Fact]
    public void Create_TwoThingsFitOneSlot_IsAmbiguous()
    {
        var act = () => ThingTestHost.Create<Bench>(o => o.UseThing("a", new FakeSensor(1)).UseThing("b", new FakeSensor(2)).Services.AddSingleton<IShutterDriver>(_driver));

        act.Should().Throw<InvalidOperationException>().WithMessage("*takes one Thing, but 2 fit (a, b)*");
    }

    [Fact]
    public async Task PropertyChanges_AreRecordedWithTheirValues_FunctionalOnesReadWhenNotified()
    {
        await using var host = CreateBench();

        host.Thing.Gain = 4;
        host.Thing.Gain = 4;
        host.Thing.Open = true;

        host.Notifications.Should().Equal(
            new ThingNotification(ThingNotificationKind.Property, "gain", 4),
            new ThingNotification(ThingNotificationKind.Property, "open", true),
            new ThingNotification(ThingNotificationKind.Property, "summary", "open at gain 4"));
    }

    [Fact]
    public async Task Settings_AreRestoredThroughTheSettersWithoutNotifying_AndSavedAsTheyChange()
    {
        await using var host = CreateBench(o =>
        {
            o.Settings["gain"] = 7;
            o.Settings["label"] = JsonNode.Parse("\"from json\"");
        });

        host.Thing.Gain.Should().Be(7);
        host.Thing.Label.Should().Be("from json");
        host.Notifications.Should().BeEmpty("restoring settings tells no observer");
        host.SavedSettings.ToJsonString().Should().Be("""{"gain":7,"label":"from json"}""");

        host.Thing.Gain = 9;
        var saved = host.SavedSettings;
        saved["gain"]!.GetValue<int>().Should().Be(9);

        // A restart with what was saved.
        await using var again = CreateBench(o =>
        {
            foreach (var (name, value) in saved)
            {
                o.Settings[name] = value?.DeepClone();
            }
        });
        again.Thing.Gain.Should().Be(9);
        again.Thing.Label.Should().Be("from json");
    }

    [Fact]
    public void Settings_UnknownOrInvalid_AreRefusedNamingTheSetting()
    {
        var unknown = () => CreateBench(o => o.Settings["gian"] = 3);
        var invalid = () => CreateBench(o => o.Settings["gain"] = 11);
        var notASetting = () => CreateBench(o => o.Settings["open"] = true);

        unknown.Should().Throw<ArgumentException>().WithMessage("*Bench has no setting 'gian' (its settings: gain, label)*");
        invalid.Should().Throw<PropertyValidationException>().WithMessage("*gain*");
        notASetting.Should().Throw<ArgumentException>().WithMessage("*no setting 'open'*");
    }

    [Fact]
    public async Task InvokeAction_ByName_RecordsOutputProgressLogsAndEvents()
    {
        await using var host = CreateBench(o => o.Settings["gain"] = 2);

        var run = await host.InvokeActionAsync("measure", new { samples = 4 });

        run.Status.Should().Be(TestInvocationStatus.Completed, run.ToString());
        run.Output.Should().Be(3.0);
        run.OutputJson!.GetValue<double>().Should().Be(3.0);
        run.Progress.Should().Equal(0.25, 0.5, 0.75, 1.0);
        run.Log.Select(r => r.Message).Should().Equal("Measured 4 samples", "Average 3");
        host.Logs.Select(r => r.Message).Should().Contain("Average 3", "the Thing's Logger writes to the host's log too");
        host.Notifications.Where(n => n.Kind == ThingNotificationKind.Event).Select(n => n.Value).Should().Equal(3.0, 3.0, 3.0, 3.0);
    }

    [Fact]
    public async Task InvokeAction_ByDelegate_RunsTheSameAction()
    {
        await using var host = CreateBench();

        var run = await host.InvokeActionAsync(host.Thing.MeasureAsync, new { samples = 1 });

        run.Action.Should().Be("measure");
        run.Output.Should().Be(1.5);
    }

    [Fact]
    public async Task StartAction_ADelegateThatIsNoActionOfTheThing_IsRefused()
    {
        await using var host = CreateBench();
        var other = new Bench(_driver);

        var notAnAction = () => host.StartAction(host.Thing.Dispose);
        var otherThing = () => host.StartAction(other.Break);

        notAnAction.Should().Throw<ArgumentException>().WithMessage("*Bench.Dispose is not a [ThingAction]*");
        otherThing.Should().Throw<ArgumentException>().WithMessage("*method of the Thing under test*");
    }

    [Fact]
    public async Task StartAction_BadInputOrUnknownAction_ThrowsBeforeRunning()
    {
        await using var host = CreateBench();

        var badInput = () => host.StartAction("measure", new { samples = "many" });
        var unknown = () => host.StartAction("measur");

        badInput.Should().Throw<PropertyValidationException>().Which.Problems.Should().Contain(p => p.Field == "/samples");
        unknown.Should().Throw<ArgumentException>().WithMessage("*no action 'measur'*measure*");
    }

    [Fact]
    public async Task FailingAction_ReportsFailedWithTheException()
    {
        await using var host = CreateBench();

        var broken = await host.InvokeActionAsync("break");
        var refused = await host.InvokeActionAsync("refuse");

        broken.Status.Should().Be(TestInvocationStatus.Failed);
        broken.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("the lamp is broken");
        broken.Log.Should().ContainSingle(r => r.Level == LogLevel.Error && r.Message == "the lamp is broken");
        refused.Status.Should().Be(TestInvocationStatus.Failed);
        refused.Exception.Should().BeOfType<ActionFailedException>();
    }

    [Fact]
    public async Task Cancel_StopsTheActionThroughItsToken()
    {
        await using var host = CreateBench();

        var run = host.StartAction(host.Thing.HoldOpenAsync);
        await host.WaitForNotificationAsync("open", n => n.Value is true);
        run.Status.Should().Be(TestInvocationStatus.Running);
        run.Cancel();
        await run.WaitAsync();

        run.Status.Should().Be(TestInvocationStatus.Cancelled);
        run.Log.Select(r => r.Message).Should().Contain("The invocation was cancelled.");
        host.Thing.Open.Should().BeFalse("the action's finally block ran");
    }

    [Fact]
    public async Task InvokeAction_CancelledByTheTestsToken_EndsCancelled()
    {
        await using var host = CreateBench();
        using var cancellation = new CancellationTokenSource();
        var waiting = host.InvokeActionAsync("hold_open", cancellationToken: cancellation.Token);

        await host.WaitForNotificationAsync("open");
        await cancellation.CancelAsync();

        (await waiting).Status.Should().Be(TestInvocationStatus.Cancelled);
    }

    [Fact]
    public async Task WaitForNotification_ReturnsOneAlreadyRecordedOrWaitsForTheMatch()
    {
        await using var host = CreateBench();
        host.Thing.Gain = 3;

        var earlier = await host.WaitForNotificationAsync("gain");
        var later = host.WaitForNotificationAsync("gain", n => (int)n.Value! == 5);
        later.IsCompleted.Should().BeFalse();
        host.Thing.Gain = 4;
        later.IsCompleted.Should().BeFalse();
        host.Thing.Gain = 5;

        earlier.Value.Should().Be(3);
        (await later).Value.Should().Be(5);
    }

    [Fact]
    public async Task WaitForNotification_Cancelled_Throws()
    {
        await using var host = CreateBench();
        using var cancellation = new CancellationTokenSource();

        var waiting = host.WaitForNotificationAsync("gain", cancellationToken: cancellation.Token);
        await cancellation.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Actions_UseTheOtherThingsGivenAndTheirLoggersWriteIntoTheInvocation()
    {
        var partner = new Partner();
        await using var host = CreateBench(o => o.UseThing("partner", partner), sensor: false);

        var hello = await host.InvokeActionAsync("partner");
        var states = await host.InvokeActionAsync("states");

        hello.Output.Should().Be("hello");
        hello.Log.Select(r => r.Message).Should().Contain("Partner says hello");
        host.Thing.Sensor.Should().BeSameAs(partner, "the partner fits the ISensor slot by type");
        states.Output.Should().BeEquivalentTo(new Dictionary<string, object?> { ["partner"] = "partner state", ["bench"] = new { gain = 1 } });
    }

    [Fact]
    public async Task StartAndDispose_StartStopAndDisposeTheThingTheHostCreated()
    {
        var host = CreateBench();
        var bench = host.Thing;
        await host.StartAsync();
        await host.StartAsync();

        await host.DisposeAsync();

        bench.Starts.Should().Be(1);
        bench.Stops.Should().Be(1);
        bench.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task Attach_ATheTestsThing_IsNotDisposedByTheHost()
    {
        var bench = new Bench(_driver);
        await using (var host = ThingTestHost.Attach(bench, o => o.UseThing("sensor", new FakeSensor(1))))
        {
            host.Thing.Should().BeSameAs(bench);
        }

        bench.Disposed.Should().BeFalse();
        var again = () => ThingTestHost.Attach(bench, o => o.UseThing("sensor", new FakeSensor(1)));
        again.Should().Throw<InvalidOperationException>().WithMessage("*already attached*");
    }

    [Fact]
    public async Task Dispose_CancelsRunningActions()
    {
        var host = CreateBench();
        var run = host.StartAction("hold_open");
        await host.WaitForNotificationAsync("open");

        await host.DisposeAsync();

        run.Status.Should().Be(TestInvocationStatus.Cancelled);
    }

    private ThingTestHost<Bench> CreateBench(Action<ThingTestOptions>? configure = null, bool sensor = true)
        => ThingTestHost.Create<Bench>(o =>
        {
            o.Services.AddSingleton<IShutterDriver>(_driver);
            if (sensor)
            {
                o.UseThing("sensor", new FakeSensor(1.5));
            }

            configure?.Invoke(o);
        });
}
