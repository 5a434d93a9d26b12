using LabThings.Model;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Core;

/// <summary>
/// How discovery calls into a Thing (getters, setters, resetters, actions of every return shape, the four event
/// handler types): what the Thing returns or throws reaches the caller unchanged, and names are checked strictly.
/// </summary>
public sealed class ThingInvokerTests
{
    [Fact]
    public void Properties_GetSetAndReset_ReachTheThing()
    {
        var definition = ThingDefinitions.Get<Instrument>();
        var thing = new Instrument();
        var level = Property(definition, "level");

        level.SetValue(thing, 7);
        level.GetValue(thing).Should().Be(7);
        thing.Level.Should().Be(7);

        Property(definition, "label").SetValue(thing, "hello");
        thing.Label.Should().Be("hello", "a private setter is still called");

        var total = Property(definition, "total");
        total.GetValue(thing).Should().Be(0L);
        thing.Add(5);
        total.GetValue(thing).Should().Be(5L);
        total.CallResetter(thing);
        total.GetValue(thing).Should().Be(0L);
    }

    [Fact]
    public void Property_WhoseGetterThrows_ThrowsTheThingsOwnException()
    {
        var broken = Property(ThingDefinitions.Get<Instrument>(), "broken");

        var act = () => broken.GetValue(new Instrument());

        act.Should().Throw<InvalidOperationException>().WithMessage("sensor unplugged");
    }

    [Theory]
    [InlineData("void_action", null)]
    [InlineData("plain_task", null)]
    [InlineData("plain_value_task", null)]
    [InlineData("task_of_int", 42)]
    [InlineData("value_task_of_string", "done")]
    [InlineData("returns_int", 3)]
    [InlineData("task_of_string", "text")]
    [InlineData("value_task_of_int", 9)]
    public async Task Actions_OfEveryReturnShape_GiveTheirResult(string name, object? expected)
    {
        var action = Action(ThingDefinitions.Get<Instrument>(), name);
        var thing = new Instrument();

        var result = await action.InvokeAsync(thing, new object?[((System.Reflection.MethodInfo)action.Member).GetParameters().Length]);

        result.Should().Be(expected);
        thing.Calls.Should().ContainSingle().Which.Should().Be(name);
    }

    [Fact]
    public async Task Action_WithArguments_ReceivesThem()
    {
        var action = Action(ThingDefinitions.Get<Instrument>(), "sum");

        var result = await action.InvokeAsync(new Instrument(), [2, 3.5, "x"]);

        result.Should().Be("5.5x");
    }

    [Fact]
    public async Task Actions_ThatThrow_ThrowTheThingsOwnException_SynchronouslyOrFromTheTask()
    {
        var definition = ThingDefinitions.Get<Instrument>();

        var sync = () => Action(definition, "fails_at_once").InvokeAsync(new Instrument(), []);
        var later = () => Action(definition, "fails_later").InvokeAsync(new Instrument(), []);

        await sync.Should().ThrowAsync<ActionFailedException>().WithMessage("at once");
        await later.Should().ThrowAsync<ActionFailedException>().WithMessage("later");
    }

    [Fact]
    public void Events_OfTheFourHandlerTypes_ForwardThePayloadUntilUnsubscribed()
    {
        var definition = ThingDefinitions.Get<Instrument>();
        var thing = new Instrument();
        var heard = new List<(string Event, object? Payload)>();
        var removers = definition.Events.Select(e => e.Subscribe(thing, payload => heard.Add((e.Name, payload)))).ToList();

        thing.RaiseAll();

        heard.Should().BeEquivalentTo(new (string, object?)[]
        {
            ("ticked", null),
            ("pinged", null),
            ("counted", 12),
            ("said", "hi"),
            ("measured", 1.5),
        });

        removers.ForEach(remove => remove());
        thing.RaiseAll();
        heard.Should().HaveCount(5, "every handler was removed");
    }

    [Theory]
    [InlineData("camera\n")]
    [InlineData("camera\r\n")]
    [InlineData("")]
    [InlineData("1camera")]
    [InlineData("café")]
    [InlineData("a.b")]
    public void UrlProblem_RejectsNamesOutsideTheUrlAlphabet(string name)
    {
        WireNames.UrlProblem(name).Should().Contain("not usable in a URL");
    }

    [Theory]
    [InlineData("camera")]
    [InlineData("_x")]
    [InlineData("stage-2_z")]
    public void UrlProblem_AcceptsLettersDigitsUnderscoreAndHyphen(string name)
    {
        WireNames.UrlProblem(name).Should().BeNull();
    }

    [Fact]
    public void AddThing_NameWithTrailingNewline_FailsAtStartup()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddLabThings(o => o.SettingsFolder = Path.GetTempPath()).AddThing<Instrument>("camera\n");
        using var app = builder.Build();

        var act = () => app.MapThings();

        act.Should().Throw<ThingDefinitionException>().Which.Problems.Should().Contain(p => p.Contains("not usable in a URL", StringComparison.Ordinal));
    }

    private static PropertyDefinition Property(ThingDefinition definition, string name)
        => definition.Find(name).Should().BeOfType<PropertyDefinition>().Subject;

    private static ActionDefinition Action(ThingDefinition definition, string name)
        => definition.Find(name).Should().BeOfType<ActionDefinition>().Subject;

    private sealed class Instrument : Thing
    {
        public List<string> Calls { get; } = [];

        [ThingProperty]
        public int Level { get; set => SetProperty(ref field, value); }

        [ThingProperty]
        public string Label { get; private set => SetProperty(ref field, value); } = "";

        [ThingProperty(Resetter = nameof(ResetTotal))]
        public long Total => _total;

        [ThingProperty]
        public double Broken => throw new InvalidOperationException("sensor unplugged");

        private long _total;

        public void Add(long amount) => _total += amount;

        public void ResetTotal() => _total = 0;

        [ThingEvent]
        public event EventHandler? Ticked;

        [ThingEvent]
        public event Action? Pinged;

        [ThingEvent]
        public event EventHandler<int>? Counted;

        [ThingEvent]
        public event Action<string>? Said;

        [ThingEvent]
        public event EventHandler<double>? Measured;

        public void RaiseAll()
        {
            Ticked?.Invoke(this, EventArgs.Empty);
            Pinged?.Invoke();
            Counted?.Invoke(this, 12);
            Said?.Invoke("hi");
            Measured?.Invoke(this, 1.5);
        }

        [ThingAction]
        public void VoidAction() => Calls.Add("void_action");

        [ThingAction]
        public Task PlainTask()
        {
            Calls.Add("plain_task");
            return Task.Delay(1);
        }

        [ThingAction]
        public async ValueTask PlainValueTask()
        {
            await Task.Yield();
            Calls.Add("plain_value_task");
        }

        [ThingAction]
        public async Task<int> TaskOfInt()
        {
            await Task.Yield();
            Calls.Add("task_of_int");
            return 42;
        }

        [ThingAction]
        public Task<string> TaskOfString()
        {
            Calls.Add("task_of_string");
            return Task.FromResult("text");
        }

        [ThingAction]
        public ValueTask<string> ValueTaskOfString()
        {
            Calls.Add("value_task_of_string");
            return ValueTask.FromResult("done");
        }

        [ThingAction]
        public async ValueTask<int> ValueTaskOfInt()
        {
            await Task.Yield();
            Calls.Add("value_task_of_int");
            return 9;
        }

        [ThingAction]
        public int ReturnsInt()
        {
            Calls.Add("returns_int");
            return 3;
        }

        [ThingAction]
        public string Sum(int a, double b, string suffix) => (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture) + suffix;

        [ThingAction]
        public void FailsAtOnce() => throw new ActionFailedException("at once");

        [ThingAction]
        public async Task FailsLater()
        {
            await Task.Yield();
            throw new ActionFailedException("later");
        }
    }
}
