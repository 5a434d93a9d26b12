using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Description;
using LabThings.Tests.Support;

namespace LabThings.Tests.Core;

/// <summary>The TD builder on its own: a Thing attached to a fake host, described under a chosen base URL.</summary>
public sealed class ThingDescriptionBuilderTests
{
    private static readonly Uri Base = new("http://microscope.lab:8080/");

    [Fact]
    public void Build_UsesTheNameFromTheConnectionForBaseAndWebSocket()
    {
        var td = Describe(new FakeConnection("scope").Attach(new Instrument()), Base);

        td["base"]!.GetValue<string>().Should().Be("http://microscope.lab:8080/scope/");
        td["id"]!.GetValue<string>().Should().Be("urn:labthings:scope");
        td["properties"]!["exposure"]!["forms"]!.AsArray().Select(f => f!["href"]!.GetValue<string>())
            .Should().Equal("exposure", "exposure/sse", "ws://microscope.lab:8080/scope/ws", "exposure/longpoll");
    }

    [Fact]
    public void Build_HttpsBase_GivesSecureWebSocketForms()
    {
        var td = Describe(new FakeConnection("scope").Attach(new Instrument()), new Uri("https://microscope.lab/"));

        td["properties"]!["exposure"]!["forms"]![2]!["href"]!.GetValue<string>().Should().Be("wss://microscope.lab/scope/ws");
    }

    [Fact]
    public void Build_Properties_CarryDefaultsUnitsAndWritability()
    {
        var instrument = new Instrument { Exposure = 4 };
        var td = Describe(new FakeConnection("scope").Attach(instrument), Base);
        var properties = td["properties"]!;

        properties["exposure"]!["default"]!.GetValue<double>().Should().Be(4, "the default is the value when the Thing was attached");
        properties["exposure"]!["unit"]!.GetValue<string>().Should().Be("ms");
        properties["exposure"]!["readOnly"]!.GetValue<bool>().Should().BeFalse();
        properties["readings"]!["readOnly"]!.GetValue<bool>().Should().BeTrue();
        properties["readings"]!["forms"]![0]!["op"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("readproperty");
        properties["temperature"]!["observable"]!.GetValue<bool>().Should().BeFalse();
        properties["temperature"]!["forms"]!.AsArray().Should().ContainSingle("a property nobody can observe has no observe forms");
        properties["optional"]!["oneOf"].Should().NotBeNull("a TD type is one name, so a nullable type is oneOf");
    }

    [Fact]
    public void Build_Actions_OfferTheWaitingFormFirstThenQueryAndCancel()
    {
        var td = Describe(new FakeConnection("worker").Attach(new Worker()), Base);
        var add = td["actions"]!["add"]!;

        add["forms"]!.AsArray().Select(f => (f!["op"]![0]!.GetValue<string>(), f["href"]!.GetValue<string>()))
            .Should().Equal(("invokeaction", "add/sync"), ("invokeaction", "add"), ("queryaction", "../action_invocations/{id}"), ("cancelaction", "../action_invocations/{id}"));
        add["input"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("a");
        add["output"]!["type"]!.GetValue<string>().Should().Be("number");
        td["actions"]!["nothing"]!["input"].Should().BeNull("an action without parameters has no input schema");
        td["events"]!["moved"]!["data"]!["type"]!.GetValue<string>().Should().Be("object");
    }

    [Fact]
    public void Build_ActionForms_DescribeTheirResponses()
    {
        var td = Describe(new FakeConnection("worker").Attach(new Worker()), Base);
        var forms = td["actions"]!["add"]!["forms"]!.AsArray();

        // The waiting form answers with the output (the default response); the 201 form with an invocation, which is
        // what queryaction and cancelaction answer too; refusals are problem details.
        forms[0]!["additionalResponses"]!.AsArray().Select(r => (r!["success"]!.GetValue<bool>(), r["schema"]!.GetValue<string>())).Should().Equal((false, "problem"));
        forms[1]!["additionalResponses"]!.AsArray().Select(r => (r!["success"]!.GetValue<bool>(), r["schema"]!.GetValue<string>())).Should().Equal((true, "invocation"), (false, "problem"));
        forms[2]!["additionalResponses"]![0]!["schema"]!.GetValue<string>().Should().Be("invocation");
        forms[3]!["response"]!["contentType"]!.GetValue<string>().Should().Be("application/json");
        td["schemaDefinitions"]!["invocation"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("status", "id", "href");
        td["schemaDefinitions"]!["problem"]!["properties"]!["errors"]!["type"]!.GetValue<string>().Should().Be("array");
    }

    [Fact]
    public void Build_BlobAction_OffersTheLinkFirstAndItsBytesOnASecondForm()
    {
        using var camera = new LabThings.Examples.SyntheticCamera();
        var td = Describe(new FakeConnection("camera").Attach(camera), Base);
        var capture = td["actions"]!["capture_jpeg"]!;
        var forms = capture["forms"]!.AsArray();

        capture["output"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("href");
        forms[0]!["href"]!.GetValue<string>().Should().Be("capture_jpeg/sync");
        forms[0]!["response"].Should().BeNull("the first form answers with the JSON link the output schema describes");
        forms[1]!["href"]!.GetValue<string>().Should().Be("capture_jpeg/sync");
        forms[1]!["response"]!["contentType"]!.GetValue<string>().Should().Be("image/jpeg");
        forms[2]!["href"]!.GetValue<string>().Should().Be("capture_jpeg");
    }

    [Fact]
    public void Build_Stream_HasAStringDataSchemaForItsJpegValue()
    {
        using var camera = new LabThings.Examples.SyntheticCamera();
        var td = Describe(new FakeConnection("camera").Attach(camera), Base);
        var stream = td["properties"]!["stream"]!;

        stream["type"]!.GetValue<string>().Should().Be("string");
        stream["contentMediaType"]!.GetValue<string>().Should().Be("image/jpeg");
        stream["contentEncoding"]!.GetValue<string>().Should().Be("base64");
    }

    [Fact]
    public void Build_ThingWithoutActionsOrEvents_StillListsThemEmpty()
    {
        var td = Describe(new FakeConnection("light").Attach(new LabThings.Examples.Light()), Base);

        // labthings-fastapi's Python ThingClient.from_url indexes td["actions"] without checking for it.
        td["actions"]!.AsObject().Should().BeEmpty();
        td["events"]!.AsObject().Should().BeEmpty();
        td["properties"]!.AsObject().Should().NotBeEmpty();
    }

    [Fact]
    public void Build_UnattachedThing_Throws()
    {
        var act = () => ThingDescriptionBuilder.Build(new Instrument(), Base);

        act.Should().Throw<InvalidOperationException>().WithMessage("*not attached*");
    }

    private static JsonNode Describe(Thing thing, Uri applicationBase)
        => JsonNode.Parse(JsonSerializer.Serialize(ThingDescriptionBuilder.Build(thing, applicationBase), ThingDescriptionJson.Options))!;
}
