using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Description;
using LabThings.Examples;
using LabThings.Model;
using LabThings.Tests.Support;

namespace LabThings.Tests.Core;

/// <summary>
/// Semantic annotations: <c>[SemanticType]</c> becomes <c>@type</c> on the Thing and its affordances, <c>[ThingContext]</c>
/// adds prefixes to <c>@context</c>, and a compact type whose prefix nobody defines stops start-up naming type and member.
/// </summary>
public sealed class SemanticAnnotationTests
{
    private static readonly Uri Base = new("http://127.0.0.1:5000/");

    [Fact]
    public async Task Build_ExampleLight_HasItsTypesAndContextAndStaysValid()
    {
        var td = Describe(new FakeConnection("light").Attach(new Light()));

        var context = td["@context"]!.AsArray();
        context[0]!.GetValue<string>().Should().Be(ThingDescription.Td11Context, "TD 1.1 requires its own context first");
        context[1]!["saref"]!.GetValue<string>().Should().Be("https://w3id.org/saref#");
        td["@type"]!.GetValue<string>().Should().Be("saref:LightSwitch");
        td["properties"]!["brightness"]!["@type"]!.GetValue<string>().Should().Be("saref:LevelControlFunction");
        td["properties"]!["is_on"]!["@type"]!.GetValue<string>().Should().Be("saref:OnOffState");
        td["properties"]!["status"]!["@type"].Should().BeNull("an affordance without [SemanticType] has no @type");

        (await TdSchema.ValidateAsync(td.ToJsonString())).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_SeveralTypesOnEveryKindOfAffordance_WritesArraysAndStaysValid()
    {
        var td = Describe(new FakeConnection("sensor").Attach(new Annotated()));

        td["@context"]!.AsArray()[1]!.AsObject().Select(p => p.Key).Should().Equal("ex", "saref");
        td["@type"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("saref:Sensor", "ex:Thermometer");
        td["properties"]!["temperature"]!["@type"]!.GetValue<string>().Should().Be("https://example.org/vocab#Temperature", "a full IRI needs no prefix");
        td["actions"]!["calibrate"]!["@type"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("ex:Calibration", "td:ActionAffordance");
        td["events"]!["overheated"]!["@type"]!.GetValue<string>().Should().Be("ex:Alarm");
        td["properties"]!["view"]!["@type"]!.GetValue<string>().Should().Be("ex:Camera", "a stream is a property in the TD");

        (await TdSchema.ValidateAsync(td.ToJsonString())).Should().BeEmpty();
    }

    [Fact]
    public void Build_ThingWithoutAnnotations_KeepsThePlainContextAndNoType()
    {
        var td = Describe(new FakeConnection("counter").Attach(new Counter()));

        td["@context"]!.GetValue<string>().Should().Be(ThingDescription.Td11Context);
        td["@type"].Should().BeNull();
    }

    [Fact]
    public void Definition_ExposesTheTypesAndContext()
    {
        var definition = ThingDefinitions.Get<Light>();

        definition.SemanticTypes.Should().Equal("saref:LightSwitch");
        definition.SemanticContext.Should().Equal(new Dictionary<string, string> { ["saref"] = "https://w3id.org/saref#" });
        definition.Find("brightness")!.SemanticTypes.Should().Equal("saref:LevelControlFunction");
    }

    [Fact]
    public void Get_UndeclaredPrefix_IsAStartupErrorNamingTypeMemberAndPrefix()
    {
        var act = () => ThingDefinitions.Get<UndeclaredPrefix>();

        var problems = act.Should().Throw<ThingDefinitionException>().Which.Problems;
        problems.Should().HaveCount(2);
        problems.Should().Contain(p => p.Contains("UndeclaredPrefix: [SemanticType(\"saref:LightSwitch\")]", StringComparison.Ordinal)
            && p.Contains("prefix 'saref'", StringComparison.Ordinal) && p.Contains("[ThingContext(\"saref\"", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("UndeclaredPrefix.Level: [SemanticType(\"ex:Level\")]", StringComparison.Ordinal)
            && p.Contains("prefix 'ex'", StringComparison.Ordinal));
    }

    [Fact]
    public void Get_BadContextsAndStrayTypes_AreStartupErrors()
    {
        var act = () => ThingDefinitions.Get<BadContexts>();

        var problems = act.Should().Throw<ThingDefinitionException>().Which.Problems;
        problems.Should().Contain(p => p.Contains("'td' is defined by the TD 1.1 context", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("'not a prefix' is not a usable prefix", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("'relative/path' is not an absolute IRI", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadContexts.NotAnAffordance: [SemanticType] is only for", StringComparison.Ordinal));
        problems.Should().HaveCount(4);
    }

    [Fact]
    public void SemanticTypeAttribute_RejectsWhiteSpace()
    {
        var act = () => new SemanticTypeAttribute("saref:Light Switch");

        act.Should().Throw<ArgumentException>().WithMessage("*white space*'saref:Light Switch'*");
    }

    private static JsonNode Describe(Thing thing)
        => JsonNode.Parse(JsonSerializer.Serialize(ThingDescriptionBuilder.Build(thing, Base), ThingDescriptionJson.Options))!;

    [ThingContext("saref", "https://w3id.org/saref#")]
    [ThingContext("ex", "https://example.org/vocab#")]
    [SemanticType("saref:Sensor")]
    [SemanticType("ex:Thermometer")]
    private sealed class Annotated : Thing
    {
        [ThingProperty, SemanticType("https://example.org/vocab#Temperature")]
        public double Temperature { get; set => SetProperty(ref field, value); }

        [MjpegStream, SemanticType("ex:Camera")]
        public LabThings.Outputs.MjpegStream View => GetStream();

        [ThingEvent, SemanticType("ex:Alarm")]
        public event EventHandler<double>? Overheated;

        [ThingAction, SemanticType("ex:Calibration"), SemanticType("td:ActionAffordance")]
        public void Calibrate() => Overheated?.Invoke(this, 0);
    }

    [SemanticType("saref:LightSwitch")]
    private sealed class UndeclaredPrefix : Thing
    {
        [ThingProperty, SemanticType("ex:Level")]
        public int Level { get; set => SetProperty(ref field, value); }
    }

    [ThingContext("td", "https://example.org/td#")]
    [ThingContext("not a prefix", "https://example.org/a#")]
    [ThingContext("ex", "relative/path")]
    private sealed class BadContexts : Thing
    {
        [SemanticType("saref:Helper")]
        public int NotAnAffordance { get; set; }
    }
}
