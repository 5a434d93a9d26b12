using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Properties over real Kestrel: read, write, read back, reset, and every kind of bad input.</summary>
public sealed class PropertyHttpTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    private HttpClient Client => _server.Client;

    private Instrument Instrument => _server.Services.GetRequiredService<Instrument>();

    public async Task InitializeAsync()
        => _server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Instrument>("instrument"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("exposure", "1.5", "7.25")]
    [InlineData("code", "\"ABC\"", "\"XYZ\"")]
    [InlineData("mode", "\"Fast\"", "\"Accurate\"")]
    [InlineData("position", """{"x":1,"y":2,"label":null}""", """{"x":3.5,"y":-1,"label":"centre"}""")]
    [InlineData("values", "[1,2,3]", "[9]")]
    [InlineData("gains", """{"red":1}""", """{"red":0.5,"blue":2}""")]
    [InlineData("optional", "null", "42")]
    [InlineData("note", "null", "\"hello\"")]
    [InlineData("level", "1", "5")]
    [InlineData("gain", "2", "3.5")]
    [InlineData("label", "\"none\"", "\"bench 3\"")]
    public async Task PutThenGet_EachWritableKind_ReadsBackTheValueAndResetRestoresTheDefault(string name, string initial, string written)
    {
        (await ReadAsync(name)).Should().Be(Normalize(initial));

        using var put = await PutJsonAsync(name, written);
        put.StatusCode.Should().Be(HttpStatusCode.Created, "labthings-fastapi clients expect 201 from a write");

        (await ReadAsync(name)).Should().Be(Normalize(written));

        using var reset = await Client.PostAsync($"instrument/{name}/reset", null);
        reset.StatusCode.Should().Be(HttpStatusCode.OK);
        Normalize(await reset.Content.ReadAsStringAsync()).Should().Be(Normalize(initial));
        (await ReadAsync(name)).Should().Be(Normalize(initial));
    }

    [Fact]
    public async Task Get_ReadOnlyAndFunctionalProperties_ReflectTheThingsState()
    {
        (await ReadAsync("readings")).Should().Be("7");
        (await ReadAsync("temperature")).Should().Be("\"27 C\"");

        Instrument.TakeReading();

        (await ReadAsync("readings")).Should().Be("8", "the Thing's own code can set a read-only property");
        (await ReadAsync("temperature")).Should().Be("\"28 C\"");
    }

    [Theory]
    [InlineData("readings")]
    [InlineData("temperature")]
    public async Task Put_ReadOnlyProperty_Is405WithAllowGetAndChangesNothing(string name)
    {
        var before = await ReadAsync(name);

        using var response = await PutJsonAsync(name, "1");

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Equal("GET");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ReadAsync(name)).Should().Be(before);
    }

    [Theory]
    [InlineData("exposure", "\"fast\"", "", "type")]
    [InlineData("exposure", "11", "", "maximum")]
    [InlineData("exposure", "-0.5", "", "minimum")]
    [InlineData("exposure", "null", "", "type")]
    [InlineData("code", "\"abc\"", "", "pattern")]
    [InlineData("code", "\"ABCD\"", "", "maxLength")]
    [InlineData("mode", "\"Slow\"", "", "enum")]
    [InlineData("position", """{"x":1}""", "/y", "required")]
    [InlineData("position", """{"x":1,"y":2,"z":3}""", "/z", "additionalProperties")]
    [InlineData("position", """{"x":"one","y":2}""", "/x", "type")]
    [InlineData("values", """[1,"two"]""", "/1", "type")]
    [InlineData("values", "null", "", "type")]
    [InlineData("level", "6", "", "maximum")]
    [InlineData("gain", "-1", "", "minimum")]
    [InlineData("optional", "1.5", "", "type")]
    public async Task Put_InvalidValue_Is422NamingFieldAndRuleAndChangesNothing(string name, string body, string field, string rule)
    {
        var before = await ReadAsync(name);

        using var response = await PutJsonAsync(name, body);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["status"]!.GetValue<int>().Should().Be(422);
        var errors = problem["errors"]!.AsArray().Select(e => (e!["field"]!.GetValue<string>(), e["rule"]!.GetValue<string>())).ToList();
        errors.Should().Contain((field, rule));
        problem["detail"]!.GetValue<string>().Should().Contain(name);
        (await ReadAsync(name)).Should().Be(before);
    }

    [Fact]
    public async Task Put_MalformedJson_Is400AndChangesNothing()
    {
        using var response = await PutJsonAsync("exposure", "{not json");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ReadAsync("exposure")).Should().Be("1.5");
    }

    [Fact]
    public async Task Put_WrongContentType_Is415AndChangesNothing()
    {
        using var content = new StringContent("3", Encoding.UTF8, "text/plain");
        using var response = await Client.PutAsync("instrument/exposure", content);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await ReadAsync("exposure")).Should().Be("1.5");
    }

    [Fact]
    public async Task PythonClientHabits_GetBareJsonAndPutJsonBody_Work()
    {
        // labthings-fastapi's ThingClient: requests.get(url).json(), requests.put(url, json=value).
        (await Client.GetFromJsonAsync<double>("instrument/exposure")).Should().Be(1.5);
        using var put = await Client.PutAsJsonAsync("instrument/exposure", 4.0);
        put.IsSuccessStatusCode.Should().BeTrue();
        Instrument.Exposure.Should().Be(4.0);
    }

    [Fact]
    public async Task Reset_FunctionalPropertyWithResetter_CallsTheResetter()
    {
        using var put = await PutJsonAsync("gain", "9");
        Instrument.Gain.Should().Be(9);

        using var reset = await Client.PostAsync("instrument/gain/reset", null);

        reset.StatusCode.Should().Be(HttpStatusCode.OK);
        Instrument.ResetGainCalls.Should().Be(1);
        Instrument.Gain.Should().Be(2);
    }

    [Fact]
    public async Task Reset_FunctionalPropertyWithoutResetter_IsNotOffered()
    {
        using var reset = await Client.PostAsync("instrument/temperature/reset", null);

        reset.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Td_DescribesEveryPropertyAndValidatesAgainstW3cSchema()
    {
        var json = await Client.GetStringAsync("instrument/");
        (await TdSchema.ValidateAsync(json)).Should().BeEmpty();
        json.Should().NotContain("$ref", "TDs cannot use references");
        var properties = JsonNode.Parse(json)!["properties"]!;

        var exposure = properties["exposure"]!;
        exposure["type"]!.GetValue<string>().Should().Be("number");
        exposure["minimum"]!.GetValue<double>().Should().Be(0);
        exposure["maximum"]!.GetValue<double>().Should().Be(10);
        exposure["unit"]!.GetValue<string>().Should().Be("ms");
        exposure["default"]!.GetValue<double>().Should().Be(1.5);
        exposure["readOnly"]!.GetValue<bool>().Should().BeFalse();
        exposure["forms"]![0]!["op"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("readproperty", "writeproperty");

        properties["readings"]!["readOnly"]!.GetValue<bool>().Should().BeTrue();
        properties["readings"]!["forms"]![0]!["op"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("readproperty");
        properties["temperature"]!["readOnly"]!.GetValue<bool>().Should().BeTrue();
        properties["mode"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("Fast", "Accurate");
        properties["position"]!["type"]!.GetValue<string>().Should().Be("object");
        properties["position"]!["required"]!.AsArray().Select(v => v!.GetValue<string>()).Should().BeEquivalentTo("x", "y");
        properties["values"]!["items"]!["type"]!.GetValue<string>().Should().Be("integer");
        properties["optional"]!["oneOf"]!.AsArray().Select(v => v!["type"]!.GetValue<string>()).Should().Equal("integer", "null");
        properties["level"]!["maximum"]!.GetValue<int>().Should().Be(5);
    }

    [Fact]
    public async Task OpenApi_ShowsTheSameSchemaForGetAndPut()
    {
        var doc = JsonNode.Parse(await Client.GetStringAsync("openapi.json"))!;
        var item = doc["paths"]!["/instrument/exposure"]!;

        var getSchema = OpenApiRefs.Resolve(doc, item["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);
        var putSchema = OpenApiRefs.Resolve(doc, item["put"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);

        getSchema["type"]!.GetValue<string>().Should().Be("number");
        getSchema["maximum"]!.GetValue<double>().Should().Be(10);
        JsonNode.DeepEquals(getSchema, putSchema).Should().BeTrue();
        item["put"]!["responses"]!["422"].Should().NotBeNull();
        doc["paths"]!["/instrument/readings"]!["put"]!["responses"]!["405"].Should().NotBeNull();
        doc["paths"]!["/instrument/label/reset"]!["post"].Should().NotBeNull();
    }

    private async Task<string> ReadAsync(string name)
    {
        using var response = await Client.GetAsync($"instrument/{name}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return Normalize(await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PutJsonAsync(string name, string json)
        => Client.PutAsync($"instrument/{name}", new StringContent(json, Encoding.UTF8, "application/json"));

    private static string Normalize(string json) => JsonNode.Parse(json)?.ToJsonString() ?? "null";
}
