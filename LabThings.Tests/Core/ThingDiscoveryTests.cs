using LabThings.Model;
using LabThings.Outputs;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Core;

public sealed class ThingDiscoveryTests
{
    [Fact]
    public void Get_StreamProperty_IsDiscoveredWithSnakeCaseNameAndAttributeMetadata()
    {
        var definition = ThingDefinitions.Get<TwoStreams>();

        definition.Streams.Select(s => s.Name).Should().Equal("main_view", "side");
        var main = definition.Streams[0];
        main.Title.Should().Be("Main view");
        main.Description.Should().Be("The main camera");
        main.RingbufferSize.Should().Be(3);
        main.Should().BeOfType<StreamDefinition>();
        definition.Find("side")!.Title.Should().Be("Side camera");
        definition.Find("SideView").Should().BeNull("only wire names are looked up");
        definition.Description.Should().BeNull();
        definition.Title.Should().Be(nameof(TwoStreams));
    }

    [Fact]
    public void Get_SameType_ReturnsTheCachedDefinition()
    {
#pragma warning disable CA2263 // both overloads are under test
        ThingDefinitions.Get<TwoStreams>().Should().BeSameAs(ThingDefinitions.Get(typeof(TwoStreams)));
#pragma warning restore CA2263
    }

    [Fact]
    public void GetStream_IsCreatedOnFirstAccessOncePerInstance()
    {
        var one = new TwoStreams();
        var two = new TwoStreams();

        var streams = Enumerable.Range(0, 8).AsParallel().Select(_ => one.MainView).Distinct().ToList();

        streams.Should().ContainSingle("every access returns the same stream");
        streams[0].RingbufferSize.Should().Be(3);
        two.MainView.Should().NotBeSameAs(one.MainView, "each Thing has its own streams");
        one.SideView.RingbufferSize.Should().Be(MjpegStream.DefaultRingbufferSize);
    }

    [Fact]
    public void GetStream_FromAnUntaggedProperty_ThrowsAClearError()
    {
        var act = () => new TwoStreams().NotAStream;

        act.Should().Throw<InvalidOperationException>().WithMessage("*[MjpegStream]*TwoStreams.NotAStream*");
    }

    [Fact]
    public void Get_BrokenType_ReportsEveryProblemNamingTypeAndMember()
    {
        var act = () => ThingDefinitions.Get<Broken>();

        var problems = act.Should().Throw<ThingDefinitionException>().Which.Problems;
        problems.Should().HaveCount(5);
        problems.Should().Contain(p => p.Contains("Broken.WrongType", StringComparison.Ordinal) && p.Contains("must be of type MjpegStream", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("Broken.Settable", StringComparison.Ordinal) && p.Contains("get-only", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("Broken.TinyBuffer", StringComparison.Ordinal) && p.Contains("RingbufferSize", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("Broken.BadName", StringComparison.Ordinal) && p.Contains("not usable in a URL", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("share the name 'dup'", StringComparison.Ordinal));
    }

    [Fact]
    public void AddThing_InvalidNamesAndTypes_FailAtStartupWithEveryProblem()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddLabThings()
            .AddThing<ManualCamera>("things")
            .AddThing<ManualCamera>("cam")
            .AddThing<ManualCamera>("CAM")
            .AddThing<ManualCamera>("has space")
            .AddThing("broken", _ => (Thing)null!);
        var app = builder.Build();

        var act = () => app.MapThings();

        var problems = act.Should().Throw<ThingDefinitionException>().Which.Problems;
        problems.Should().Contain(p => p.Contains("'things'", StringComparison.Ordinal) && p.Contains("used by the server", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("named 'cam'", StringComparison.OrdinalIgnoreCase));
        problems.Should().Contain(p => p.Contains("'has space'", StringComparison.Ordinal));
    }

    [Fact]
    public void AddThing_BrokenThingType_FailsAtStartupNamingTheMembers()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddLabThings().AddThing("broken", _ => (Thing)null!);
        builder.Services.AddSingleton(new global::LabThings.Server.Hosting.ThingRegistration("broken2", typeof(Broken), _ => null!));
        var app = builder.Build();

        var act = () => app.MapThings();

        act.Should().Throw<ThingDefinitionException>().WithMessage("*Broken.WrongType*Broken.Settable*");
    }

    private sealed class TwoStreams : Thing
    {
        [MjpegStream(RingbufferSize = 3, Description = "The main camera")]
        public MjpegStream MainView => GetStream();

        [MjpegStream(Name = "side", Title = "Side camera")]
        public MjpegStream SideView => GetStream();

        public MjpegStream NotAStream => GetStream();
    }

    // Deliberately broken, so that discovery's own checks are tested: the analyzer's are turned off here.
#pragma warning disable LT0006, LT0007
    private sealed class Broken : Thing
    {
        private MjpegStream _settable = new();

        public Broken()
            : base()
        {
        }

        [MjpegStream]
        public string WrongType => Name ?? "";

        [MjpegStream]
        public MjpegStream Settable { get => _settable; set => _settable = value; }

        [MjpegStream(RingbufferSize = 0)]
        public MjpegStream TinyBuffer => GetStream();

        [MjpegStream(Name = "bad/name")]
        public MjpegStream BadName => GetStream();

        [MjpegStream(Name = "dup")]
        public MjpegStream First => GetStream();

        [MjpegStream(Name = "dup")]
        public MjpegStream Second => GetStream();
    }
#pragma warning restore LT0006, LT0007
}
