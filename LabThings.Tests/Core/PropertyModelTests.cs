using System.Text.Json.Nodes;
using LabThings.Model;
using LabThings.Tests.Support;

namespace LabThings.Tests.Core;

/// <summary>Property discovery, generated schemas and the in-process property API.</summary>
public sealed class PropertyModelTests
{
    [Fact]
    public void Discovery_ClassifiesDataFunctionalReadOnlyAndSettings()
    {
        var definition = ThingDefinitions.Get<Instrument>();
        PropertyDefinition P(string name) => definition.Properties.Single(p => p.Name == name);

        P("exposure").Should().Match<PropertyDefinition>(p => !p.IsFunctional && !p.ReadOnly && p.Observable && !p.IsSetting && p.IsResettable);
        P("readings").Should().Match<PropertyDefinition>(p => !p.IsFunctional && p.ReadOnly && p.Observable);
        P("temperature").Should().Match<PropertyDefinition>(p => p.IsFunctional && p.ReadOnly && !p.Observable && !p.IsResettable);
        P("gain").Should().Match<PropertyDefinition>(p => p.IsFunctional && !p.ReadOnly && !p.Observable && p.IsResettable);
        P("label").Should().Match<PropertyDefinition>(p => p.IsSetting && !p.ReadOnly);
        P("exposure").Unit.Should().Be("ms");
        P("exposure").Description.Should().Be("Exposure time");
    }

    [Theory]
    [InlineData("exposure", """{"type":"number","minimum":0,"maximum":10}""")]
    [InlineData("code", """{"type":"string","pattern":"^[A-Z]{3}$","minLength":3,"maxLength":3}""")]
    [InlineData("mode", """{"type":"string","enum":["Fast","Accurate"]}""")]
    [InlineData("values", """{"type":"array","items":{"type":"integer"}}""")]
    [InlineData("gains", """{"type":"object","additionalProperties":{"type":"number"}}""")]
    [InlineData("optional", """{"type":["integer","null"]}""")]
    [InlineData("note", """{"type":["string","null"]}""")]
    [InlineData("level", """{"type":"integer","minimum":0,"maximum":5}""")]
    [InlineData("temperature", """{"type":"string"}""")]
    public void Schema_SupportedTypes_AreGeneratedWithTheirConstraints(string name, string expected)
    {
        var schema = ThingDefinitions.Get<Instrument>().Properties.Single(p => p.Name == name).GetSchema();

        JsonNode.DeepEquals(schema, JsonNode.Parse(expected)).Should().BeTrue($"{name}'s schema was {schema.ToJsonString()}");
    }

    [Fact]
    public void Schema_Record_IsAnObjectWithSnakeCaseRequiredMembersAndNoExtras()
    {
        var schema = ThingDefinitions.Get<Instrument>().Properties.Single(p => p.Name == "position").GetSchema();

        schema["type"]!.GetValue<string>().Should().Be("object");
        schema["properties"]!.AsObject().Select(p => p.Key).Should().Equal("x", "y", "label");
        schema["required"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("x", "y");
        schema["additionalProperties"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public void PropertiesApi_GivesMetadataValueDefaultResetAndSchema()
    {
        var instrument = new FakeConnection("instrument").Attach(new Instrument());
        var exposure = instrument.Properties["exposure"];

        exposure.Default.Should().Be(1.5);
        exposure.Schema["maximum"]!.GetValue<double>().Should().Be(10);
        exposure.SetValue(4.5);
        instrument.Exposure.Should().Be(4.5);
        exposure.GetValue().Should().Be(4.5);
        exposure.Reset();
        instrument.Exposure.Should().Be(1.5);

        var values = instrument.Properties["values"];
        ((List<int>)values.Default!).Add(99);
        values.Default.Should().BeEquivalentTo(new[] { 1, 2, 3 }, "each read of Default is a fresh copy");

        var act = () => exposure.SetValue(99.0);
        act.Should().Throw<PropertyValidationException>().Which.Problems.Single().Rule.Should().Be("maximum");
        instrument.Exposure.Should().Be(1.5);
        instrument.Invoking(i => i.Properties["nope"]).Should().Throw<KeyNotFoundException>().WithMessage("*exposure*");
        instrument.Properties.Should().HaveCount(ThingDefinitions.Get<Instrument>().Properties.Length);
    }

    [Fact]
    public void SetProperty_WithValidatePropertyWrites_RejectsInvalidOwnWritesAndKeepsTheValue()
    {
        var strict = new StrictInstrument();

        var act = () => strict.Level = 11;

        act.Should().Throw<PropertyValidationException>().Which.PropertyName.Should().Be("level");
        strict.Level.Should().Be(3);
        strict.Level = 10;
        strict.Level.Should().Be(10);
    }

    [Fact]
    public void SetProperty_WithoutValidatePropertyWrites_TrustsTheThingsOwnCode()
    {
        var instrument = new Instrument { Exposure = 99 };

        instrument.Exposure.Should().Be(99, "validation of own writes is off by default, as in labthings-fastapi");
    }

    [Fact]
    public void Discovery_InvalidProperties_AreAllReported()
    {
        var act = () => ThingDefinitions.Get<BadProperties>();

        var problems = act.Should().Throw<ThingDefinitionException>().Which.Problems;
        problems.Should().Contain(p => p.Contains("BadProperties.Recursive", StringComparison.Ordinal) && p.Contains("recursive", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadProperties.NoSetterSetting", StringComparison.Ordinal) && p.Contains("setter", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadProperties.WritableWithoutSetter", StringComparison.Ordinal) && p.Contains("ReadOnly = false", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadProperties.RangeOnString", StringComparison.Ordinal) && p.Contains("numbers only", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadProperties.MissingResetter", StringComparison.Ordinal) && p.Contains("Nope", StringComparison.Ordinal));
    }

    public sealed record Node(int Value, Node? Next);

    // Deliberately broken, so that discovery's own checks are tested: the analyzer's are turned off here.
#pragma warning disable LT0001
    private sealed class BadProperties : Thing
    {
        [ThingProperty]
        public Node? Recursive { get; set; }

        [ThingSetting]
        public int NoSetterSetting => Name?.Length ?? 1;

        [ThingProperty(ReadOnly = false)]
        public int WritableWithoutSetter => Name?.Length ?? 2;

        [ThingProperty(Minimum = 1)]
        public string RangeOnString { get; set; } = "";

        [ThingProperty(Resetter = "Nope")]
        public int MissingResetter { get; set; }
    }
#pragma warning restore LT0001
}
