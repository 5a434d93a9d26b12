using LabThings.Model;
using LabThings.Server;
using LabThings.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Server;

/// <summary>
/// Thing slots (issue 9): which Things fill a slot (by type, base type, interface, name, configuration; optional and
/// many), every way that can go wrong reported together, and the start and stop order they imply.
/// </summary>
public sealed class ThingSlotTests
{
    public interface IMotor;

    public abstract class CameraBase : Thing;

    public sealed class Camera : CameraBase;

    public sealed class Motor : Thing, IMotor;

    public sealed class Lamp : Thing;

    public sealed class UsesCamera : Thing
    {
        [ThingSlot] public CameraBase Camera { get; private set; } = null!;

        [ThingSlot] public IMotor? Motor { get; private set; }

        [ThingSlot] public IReadOnlyList<IMotor> Motors { get; private set; } = [];

        [ThingSlot] public IReadOnlyDictionary<string, IMotor> MotorsByName { get; private set; } = new Dictionary<string, IMotor>();
    }

    public sealed class NamedMotor : Thing
    {
        [ThingSlot("right")] public Motor Motor { get; private set; } = null!;
    }

    public sealed class ByConstructor(Camera camera, [ThingSlot] IMotor motor) : Thing
    {
        public Camera Camera { get; } = camera;

        public IMotor Motor { get; } = motor;
    }

    public sealed class NeedsLamp : Thing
    {
        [ThingSlot] public Lamp Lamp { get; private set; } = null!;
    }

    public sealed class CycleA : Thing
    {
        [ThingSlot] public CycleB B { get; private set; } = null!;
    }

    public sealed class CycleB : Thing
    {
        [ThingSlot] public CycleA A { get; private set; } = null!;
    }

    private static ThingHost Host(Action<LabThingsBuilder> add, Action<LabThingsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var folder = Support.RunningServer.NewTemporaryFolder();
        add(services.AddLabThings(o =>
        {
            o.SettingsFolder = folder;
            configure?.Invoke(o);
        }));
        return services.BuildServiceProvider().GetRequiredService<ThingHost>();
    }

    private static T Thing<T>(ThingHost host, string name) => (T)(object)host.Get(name).Thing;

    [Fact]
    public void Slots_AreFilledByBaseType_Interface_OptionalAndMany()
    {
        var host = Host(b => b.AddThing<UsesCamera>("user").AddThing<Camera>("camera").AddThing<Motor>("left").AddThing<Motor>("right"), o => o.Slots["user"] = new Dictionary<string, string> { ["Motor"] = "left" });
        var user = Thing<UsesCamera>(host, "user");

        user.Camera.Should().BeSameAs(host.Get("camera").Thing, "a Camera is a CameraBase");
        user.Motor.Should().BeSameAs(host.Get("left").Thing, "configuration names it");
        user.Motors.Should().Equal((IMotor)host.Get("left").Thing, (IMotor)host.Get("right").Thing);
        user.MotorsByName.Keys.Should().BeEquivalentTo("left", "right");
        host.StartOrder.Select(t => t.Name).Should().Equal(["camera", "left", "right", "user"], "a Thing comes after the Things it uses");
        host.Things.Select(t => t.Name).Should().Equal(["user", "camera", "left", "right"], "listed in the order they were added");
    }

    [Fact]
    public void OptionalSlot_WithNoCandidate_IsNull_AndManyIsEmpty()
    {
        var user = Thing<UsesCamera>(Host(b => b.AddThing<UsesCamera>("user").AddThing<Camera>("camera")), "user");
        user.Motor.Should().BeNull();
        user.Motors.Should().BeEmpty();
        user.MotorsByName.Should().BeEmpty();
    }

    [Fact]
    public void NamedSlot_TakesTheNamedThing_AndConfigurationOverridesTheAttribute()
    {
        var host = Host(b => b.AddThing<NamedMotor>("user").AddThing<Motor>("left").AddThing<Motor>("right"));
        Thing<NamedMotor>(host, "user").Motor.Should().BeSameAs(host.Get("right").Thing);

        var overridden = Host(b => b.AddThing<NamedMotor>("user").AddThing<Motor>("left").AddThing<Motor>("right"), o => o.Slots["user"] = new Dictionary<string, string> { ["Motor"] = "left" });
        Thing<NamedMotor>(overridden, "user").Motor.Should().BeSameAs(overridden.Get("left").Thing);
    }

    [Fact]
    public void ConstructorSlots_AreGivenTheThings_WithoutHanging()
    {
        var host = Host(b => b.AddThing<ByConstructor>("user").AddThing<Camera>("camera").AddThing<Motor>("motor"));
        var user = Thing<ByConstructor>(host, "user");
        user.Camera.Should().BeSameAs(host.Get("camera").Thing);
        user.Motor.Should().BeSameAs(host.Get("motor").Thing);
        host.StartOrder[^1].Name.Should().Be("user");
    }

    [Fact]
    public void EveryProblem_IsListedInOneError()
    {
        var act = () => Host(b => b
            .AddThing<UsesCamera>("user")
            .AddThing<Motor>("left")
            .AddThing<Motor>("right")
            .AddThing<NamedMotor>("named")
            .AddThing<NeedsLamp>("lamp_user"),
            o =>
            {
                o.Slots["named"] = new Dictionary<string, string> { ["Motor"] = "user", ["Nonexistent"] = "left" };
                o.Slots["ghost"] = new Dictionary<string, string> { ["Motor"] = "left" };
            });

        var problems = act.Should().Throw<ThingDefinitionException>().Which.Problems;
        problems.Should().Contain(p => p.Contains("Thing 'user' (UsesCamera), slot Camera (CameraBase): no Thing on this server is a CameraBase", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("slot Motor (IMotor?): 2 Things are a IMotor ('left', 'right')", StringComparison.Ordinal), "ambiguous, with the candidates");
        problems.Should().Contain(p => p.Contains("'user' is a UsesCamera, which is not a Motor", StringComparison.Ordinal), "a named Thing of the wrong type");
        problems.Should().Contain(p => p.Contains("NamedMotor has no slot 'Nonexistent'", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("LabThings:Slots:ghost: there is no Thing named 'ghost'", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("slot Lamp (Lamp): no Thing on this server is a Lamp", StringComparison.Ordinal));
        problems.Should().HaveCount(6);
    }

    [Fact]
    public void Cycle_IsAnError_NamingTheThings()
    {
        var act = () => Host(b => b.AddThing<CycleA>("a").AddThing<CycleB>("b"));
        act.Should().Throw<ThingDefinitionException>().Which.Problems.Should().ContainSingle()
            .Which.Should().Contain("'a' → 'b' → 'a'");
    }

    [Fact]
    public void BadSlotDeclarations_AreFoundAtDiscovery()
    {
        var problems = new List<string>();
        ThingDefinitions.TryGet(typeof(BadSlots), problems).Should().BeNull();
        problems.Should().Contain(p => p.Contains("BadSlots.Count: a slot's type must be a Thing class or an interface", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadSlots.ReadOnly: a [ThingSlot] property needs a setter", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadSlots.ByNumber: a dictionary slot is keyed by Thing name", StringComparison.Ordinal));
    }

    public sealed class BadSlots : Thing
    {
        [ThingSlot] public int Count { get; set; }

        private readonly Lamp _lamp = null!;

        [ThingSlot] public Lamp ReadOnly => _lamp;

        [ThingSlot] public IReadOnlyDictionary<int, Lamp> ByNumber { get; set; } = null!;
    }

    [Fact]
    public void SlotDefinitions_DescribeCardinality()
    {
        var slots = ThingDefinitions.Get<UsesCamera>().Slots.ToDictionary(s => s.Name);
        slots["Camera"].Cardinality.Should().Be(SlotCardinality.One);
        slots["Motor"].Cardinality.Should().Be(SlotCardinality.Optional);
        slots["Motors"].Cardinality.Should().Be(SlotCardinality.Many);
        slots["Motors"].ThingType.Should().Be<IMotor>();
        ThingDefinitions.Get<ByConstructor>().Slots.Should().OnlyContain(s => s.IsConstructorParameter);
    }
}
