using System.Text.Json.Nodes;
using LabThings.Schema;

namespace LabThings.Tests.Core;

/// <summary>
/// The validator behind every property write and action input: one problem per failing keyword, at the failing field,
/// worded from the schema; nothing reported from an alternative the value did not need.
/// </summary>
public sealed class SchemaValidatorTests
{
    private static readonly SchemaValidator Validator = new((JsonObject)JsonNode.Parse("""
        {
          "type": "object",
          "properties": {
            "count": { "type": "integer", "minimum": 0, "maximum": 10 },
            "maybe": { "type": ["integer", "null"] },
            "position": {
              "anyOf": [
                { "type": "object", "properties": { "x": { "type": "number", "exclusiveMinimum": 1 } }, "required": ["x"], "additionalProperties": false },
                { "type": "null" }
              ]
            },
            "colour": { "enum": ["red", "green"] },
            "name": { "type": "string", "minLength": 2, "pattern": "^[a-z]+$" },
            "steps": { "type": "array", "items": { "type": "number", "multipleOf": 0.5 }, "maxItems": 3 },
            "when": { "type": "string", "format": "date-time" }
          },
          "required": ["count"],
          "additionalProperties": false
        }
        """)!);

    [Fact]
    public void A_valid_value_has_no_problems()
    {
        Validator.Validate("""{"count": 3, "maybe": null, "position": null, "colour": "red", "name": "ab", "steps": [0.5, 1], "when": "2026-12-04T12:00:00Z"}""")
            .Should().BeEmpty();
    }

    [Fact]
    public void Null_for_a_nullable_object_passes_and_a_bad_object_reports_its_own_fields()
    {
        Validator.Validate("""{"count": 1, "position": null}""").Should().BeEmpty("null is the other alternative of the anyOf");

        Validator.Validate("""{"count": 1, "position": {"x": 0, "y": 1}}""").Select(p => (p.Field, p.Rule, p.Message)).Should().BeEquivalentTo(new[]
        {
            ("/position/x", "exclusiveMinimum", "'/position/x' must be greater than 1"),
            ("/position/y", "additionalProperties", "'/position/y' is not a known field"),
        });
    }

    [Fact]
    public void Each_failing_keyword_is_one_problem_worded_from_the_schema()
    {
        var problems = Validator.Validate("""{"count": 11, "maybe": "x", "colour": "blue", "name": "A", "steps": [1, 0.3, 2, 3], "when": "yesterday", "extra": 1}""");

        problems.Select(p => (p.Field, p.Rule, p.Message)).Should().BeEquivalentTo(new[]
        {
            ("/count", "maximum", "'/count' must be at most 10"),
            ("/maybe", "type", "'/maybe' must be an integer or a null"),
            ("/colour", "enum", "'/colour' must be one of red, green"),
            ("/name", "minLength", "'/name' must be at least 2 characters long"),
            ("/name", "pattern", "'/name' must match the pattern ^[a-z]+$"),
            ("/steps", "maxItems", "'/steps' must have at most 3 items"),
            ("/steps/1", "multipleOf", "'/steps/1' must be a multiple of 0.5"),
            ("/when", "format", "'/when' must be in the date-time format"),
            ("/extra", "additionalProperties", "'/extra' is not a known field"),
        });
    }

    [Fact]
    public void A_missing_required_field_is_reported_at_its_own_path()
    {
        Validator.Validate("{}").Should().ContainSingle().Which.Should().Be(new ValidationProblem("/count", "required", "'/count' is required"));
    }

    [Theory]
    [InlineData("""{"count": 123456789012345678901234567890}""")]
    [InlineData("""{"count": 1e400}""")]
    public void A_number_no_dotnet_type_holds_exactly_is_refused(string json)
    {
        Validator.Validate(json).Should().ContainSingle().Which.Message.Should().Be("'/count' is a number out of range");
    }

    [Fact]
    public void Not_an_object_is_one_type_problem()
    {
        Validator.Validate("[]").Should().ContainSingle().Which.Should().Be(new ValidationProblem("", "type", "the value must be an object"));
    }

    [Fact]
    public void A_large_bad_value_gets_one_problem_and_a_large_good_one_none()
    {
        var items = Enumerable.Repeat("1", SchemaValidator.DetailLimit).ToList();
        var good = $$"""{"count": 1, "steps": [{{string.Join(',', items)}}]}""";
        items[items.Count / 2] = "0.3";
        var bad = $$"""{"count": 1, "steps": [{{string.Join(',', items)}}]}""";
        var small = new SchemaValidator((JsonObject)JsonNode.Parse("""{"type": "object", "properties": {"steps": {"type": "array", "items": {"multipleOf": 0.5}}}}""")!);

        small.Validate(good).Should().BeEmpty();
        small.Validate(bad).Should().ContainSingle().Which.Rule.Should().Be("schema", "listing each problem of a value this large would cost several times checking it");
    }
}
