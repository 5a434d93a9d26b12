using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Whole-Thing property operations (issue 11): readallproperties, readmultipleproperties, and an atomic writemultipleproperties.</summary>
public sealed class ThingPropertiesTests
{
    public sealed class Sample : Thing
    {
        [ThingProperty(Minimum = 0, Maximum = 10)]
        public int Gain { get; set => SetProperty(ref field, value); } = 1;

        [ThingProperty]
        public string Label { get; set => SetProperty(ref field, value); } = "none";

        [ThingProperty(Description = "Refuses 13 in its setter")]
        public int Slot
        {
            get;
            set
            {
                ArgumentOutOfRangeException.ThrowIfEqual(value, 13);
                SetProperty(ref field, value);
            }
        }

        [ThingProperty(ReadOnly = true)]
        public int Serial { get; private set => SetProperty(ref field, value); } = 4711;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task ReadAll_AndReadMultiple()
    {
        await using var server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Sample>("sample"));
        JsonNode.Parse(await server.Client.GetStringAsync("sample/properties"))!.ToJsonString()
            .Should().Be("""{"gain":1,"label":"none","slot":0,"serial":4711}""");
        JsonNode.Parse(await server.Client.GetStringAsync("sample/properties?names=serial,gain"))!.ToJsonString()
            .Should().Be("""{"serial":4711,"gain":1}""");
        (await server.Client.GetAsync("sample/properties?names=gain,nope")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var td = JsonNode.Parse(await server.Client.GetStringAsync("sample/"))!;
        td["forms"]!.AsArray().SelectMany(f => f!["op"]!.AsArray().Select(o => o!.GetValue<string>()))
            .Should().BeEquivalentTo("readallproperties", "readmultipleproperties", "writemultipleproperties");
        (await TdSchema.ValidateAsync(td.ToJsonString())).Should().BeEmpty();
    }

    [Fact]
    public async Task WriteMultiple_IsAllOrNothing()
    {
        await using var server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Sample>("sample"));
        var sample = server.Services.GetRequiredService<Sample>();

        (await server.Client.PutAsync("sample/properties", Json("""{"gain": 5, "label": "bright"}"""))).StatusCode.Should().Be(HttpStatusCode.Created);
        (sample.Gain, sample.Label).Should().Be((5, "bright"));

        using (var invalid = await server.Client.PutAsync("sample/properties", Json("""{"gain": 7, "label": 12, "slot": 99.5}""")))
        {
            invalid.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            var fields = JsonNode.Parse(await invalid.Content.ReadAsStringAsync())!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
            fields.Should().Contain(["/label", "/slot"], "every refused value is listed");
        }

        (sample.Gain, sample.Label).Should().Be((5, "bright"), "the valid gain was not applied either");

        // The setter refuses a value only when it is set: the values set before it are put back.
        (await server.Client.PutAsync("sample/properties", Json("""{"gain": 8, "label": "x", "slot": 13}"""))).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (sample.Gain, sample.Label, sample.Slot).Should().Be((5, "bright", 0));

        (await server.Client.PutAsync("sample/properties", Json("""{"gain": 2, "serial": 1}"""))).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await server.Client.PutAsync("sample/properties", Json("""{"gain": 2, "nope": 1}"""))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await server.Client.PutAsync("sample/properties", Json("[1, 2]"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        sample.Gain.Should().Be(5);
    }
}
