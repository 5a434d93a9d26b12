using System.Text.Json;
using LabThings.ClientGenerator.Generation;

namespace LabThings.Tests.ClientGeneration;

/// <summary>How labthings-client maps JSON Schemas to C# types (docs/clients.md lists the rules).</summary>
public sealed class SchemaMapperTests
{
    private static (CsType Type, SchemaMapper Mapper) Map(string schema, string td = "{}", string hint = "Value")
    {
        var mapper = new SchemaMapper(JsonDocument.Parse(td).RootElement.Clone(), new TypeNames(), "Thing");
        return (mapper.Map(JsonDocument.Parse(schema).RootElement.Clone(), hint), mapper);
    }

    [Theory]
    [InlineData("""{"type": "boolean"}""", "bool")]
    [InlineData("""{"type": "number"}""", "double")]
    [InlineData("""{"type": "integer"}""", "long")]
    [InlineData("""{"type": "integer", "minimum": 0}""", "long")]
    [InlineData("""{"type": "integer", "minimum": 0, "maximum": 100}""", "int")]
    [InlineData("""{"type": "integer", "minimum": 0, "maximum": 3000000000}""", "long")]
    [InlineData("""{"type": "string"}""", "string")]
    [InlineData("""{"type": "string", "format": "date-time"}""", "global::System.DateTimeOffset")]
    [InlineData("""{"type": "string", "format": "uuid"}""", "global::System.Guid")]
    [InlineData("""{"type": "string", "contentEncoding": "base64", "contentMediaType": "image/jpeg"}""", "byte[]")]
    [InlineData("""{"type": "array", "items": {"type": "number"}}""", "global::System.Collections.Generic.IReadOnlyList<double>")]
    [InlineData("""{"type": "object", "additionalProperties": {"type": "integer"}}""", "global::System.Collections.Generic.IReadOnlyDictionary<string, long>")]
    [InlineData("""{"type": ["string", "null"]}""", "string?")]
    [InlineData("""{"oneOf": [{"type": "number"}, {"type": "null"}]}""", "double?")]
    [InlineData("""{"anyOf": [{"type": "null"}, {"type": "integer"}]}""", "long?")]
    [InlineData("""{"oneOf": [{"type": "number"}, {"type": "string"}]}""", "global::System.Text.Json.JsonElement")]
    [InlineData("""{}""", "global::System.Text.Json.JsonElement")]
    [InlineData("""{"type": "object"}""", "global::System.Text.Json.JsonElement")]
    [InlineData("""{"$ref": "#/schemaDefinitions/missing"}""", "global::System.Text.Json.JsonElement")]
    public void Map_Schema_GivesTheDocumentedType(string schema, string expected)
    {
        Map(schema).Type.Code.Should().Be(expected);
    }

    [Fact]
    public void Map_ObjectSchema_DeclaresARecordWithRequiredAndOptionalMembers()
    {
        var (type, mapper) = Map("""
            {"type": "object", "description": "Where the stage is", "required": ["x", "frame_count"],
             "properties": {"x": {"type": "integer"}, "frame_count": {"type": "integer", "description": "Frames so far"}, "label": {"type": "string"}}}
            """, hint: "Position");

        type.Code.Should().Be("Position");
        var record = mapper.Definitions.Should().ContainSingle().Which.Should().BeOfType<RecordDefinition>().Subject;
        record.Documentation.Should().Be("Where the stage is.");
        record.Fields.Select(f => (f.Name, f.WireName, f.Type.Code, f.Required)).Should().Equal(
            ("X", "x", "long", true), ("FrameCount", "frame_count", "long", true), ("Label", "label", "string?", false));
        record.Fields[1].Documentation.Should().Be("Frames so far.");
    }

    [Fact]
    public void Map_StringEnum_DeclaresAnEnumWithSafeMemberNames()
    {
        var (type, mapper) = Map("""{"type": "string", "enum": ["slow", "very-fast", "2x", "", "Slow"]}""", hint: "Speed");

        type.Code.Should().Be("Speed");
        type.IsValueType.Should().BeTrue();
        var members = mapper.Definitions.OfType<EnumDefinition>().Single().Members;
        members.Select(m => (m.Name, m.WireValue)).Should().Equal(("Slow", "slow"), ("VeryFast", "very-fast"), ("Value2x", "2x"), ("Empty", ""), ("Slow2", "Slow"));
    }

    [Fact]
    public void Map_ArrayOfObjects_NamesTheItemRecordInTheSingular()
    {
        var (type, mapper) = Map("""
            {"type": "object", "properties": {"sizes": {"type": "array", "items": {"type": "object", "properties": {"z": {"type": "integer"}, "size": {"type": "integer"}}}}}}
            """, hint: "Sweep");

        type.Code.Should().Be("Sweep");
        mapper.Definitions.Select(d => d.Name).Should().Equal("SizeItem", "Sweep");
        ((RecordDefinition)mapper.Definitions[1]).Fields.Single().Type.Code.Should().Be("global::System.Collections.Generic.IReadOnlyList<SizeItem>?");
    }

    [Fact]
    public void Map_StructurallyEqualObjects_ShareOneRecord()
    {
        var mapper = new SchemaMapper(JsonDocument.Parse("{}").RootElement, new TypeNames(), "Stage");
        var xyz = JsonDocument.Parse("""{"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}, "required": ["x", "y"]}""").RootElement;
        var other = JsonDocument.Parse("""{"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "number"}}, "required": ["x", "y"]}""").RootElement;

        mapper.Map(xyz, "Position").Code.Should().Be("Position");
        mapper.Map(xyz, "MoveOutput").Code.Should().Be("Position");
        mapper.Map(other, "Position").Code.Should().Be("StagePosition", "a different shape gets the Thing's name in front");
    }

    [Fact]
    public void Map_Reference_ResolvesSchemaDefinitionsAndDefs()
    {
        const string td = """{"schemaDefinitions": {"point": {"type": "object", "properties": {"x": {"type": "number"}}}}}""";

        var (type, mapper) = Map("""{"$ref": "#/schemaDefinitions/point"}""", td);
        type.Code.Should().Be("Point");
        mapper.Definitions.Single().Name.Should().Be("Point");

        // Pydantic-style: $defs inside the affordance's own schema.
        Map("""{"type": "object", "properties": {"p": {"$ref": "#/$defs/Mode"}}, "$defs": {"Mode": {"type": "string", "enum": ["a", "b"]}}}""", hint: "Holder")
            .Mapper.Definitions.Select(d => d.Name).Should().Equal("Mode", "Holder");
    }

    [Fact]
    public void Map_SelfReference_EndsInJsonElementInsteadOfLoopingForever()
    {
        const string td = """{"schemaDefinitions": {"node": {"type": "object", "properties": {"next": {"$ref": "#/schemaDefinitions/node"}, "value": {"type": "number"}}}}}""";

        var (type, mapper) = Map("""{"$ref": "#/schemaDefinitions/node"}""", td);

        type.Code.Should().Be("Node");
        ((RecordDefinition)mapper.Definitions.Single()).Fields[0].Type.Code.Should().Be("global::System.Text.Json.JsonElement?");
    }

    [Theory]
    [InlineData("frame_rate", "FrameRate", "frameRate")]
    [InlineData("Frame rate", "FrameRate", "frameRate")]
    [InlineData("frame-rate", "FrameRate", "frameRate")]
    [InlineData("frameRate", "FrameRate", "frameRate")]
    [InlineData("class", "Class", "@class")]
    [InlineData("event", "Event", "@event")]
    [InlineData("2fast", "_2fast", "_2fast")]
    [InlineData("température", "Température", "température")]
    [InlineData("!!!", "Value", "value")]
    public void Identifiers_TdNames_BecomeSafeCSharpNames(string name, string pascal, string camel)
    {
        Identifiers.Pascal(name).Should().Be(pascal);
        Identifiers.Camel(name).Should().Be(camel);
    }

    [Fact]
    public void Documentation_TextWithMarkupAndLines_IsEscapedLineByLine()
    {
        Documentation.Lines("Use <b> & </summary>\nsecond line").Should().Equal("Use &lt;b&gt; &amp; &lt;/summary&gt;", "second line");
    }
}
