using System.Text.Json.Nodes;
using LabThings.Tests.Support;

namespace LabThings.Tests.Server.Endpoints;

/// <summary>Property endpoints invoked in-process: every status they write is one their OpenAPI description lists.</summary>
public sealed class PropertyEndpointTests : IAsyncLifetime
{
    private MappedThings _things = null!;

    public Task InitializeAsync()
    {
        _things = MappedThings.Create(lt => lt.AddThing<Instrument>("instrument").AddThing<FlakySensor>("sensor"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _things.DisposeAsync();

    [Fact]
    public async Task Read_AnswersTheValueAsJson()
    {
        var response = await _things.InvokeAsync("GET", "/instrument/exposure");

        response.Status.Should().Be(200);
        response.ContentType.Should().Be("application/json");
        response.Text.Should().Be("1.5");
    }

    [Fact]
    public async Task Write_ValidValue_Is201AndIsStored()
    {
        var response = await _things.InvokeAsync("PUT", "/instrument/exposure", "4.25");

        response.Status.Should().Be(201);
        (await _things.InvokeAsync("GET", "/instrument/exposure")).Text.Should().Be("4.25");
    }

    [Theory]
    [InlineData("11", "application/json", 422)]
    [InlineData("\"fast\"", "application/json", 422)]
    [InlineData("{not json", "application/json", 400)]
    [InlineData("4", "text/plain", 415)]
    public async Task Write_BadValue_IsRefusedAndChangesNothing(string body, string contentType, int status)
    {
        var response = await _things.InvokeAsync("PUT", "/instrument/exposure", body, contentType);

        response.Status.Should().Be(status);
        response.ContentType.Should().Be("application/problem+json");
        (await _things.InvokeAsync("GET", "/instrument/exposure")).Text.Should().Be("1.5");
    }

    [Fact]
    public async Task Write_OutOfRange_NamesTheRuleInErrors()
    {
        var response = await _things.InvokeAsync("PUT", "/instrument/exposure", "11");

        var error = JsonNode.Parse(response.Text)!["errors"]![0]!;
        error["rule"]!.GetValue<string>().Should().Be("maximum");
        error["field"]!.GetValue<string>().Should().Be("");
    }

    [Fact]
    public async Task Write_ReadOnlyProperty_Is405WithAllowGet()
    {
        var response = await _things.InvokeAsync("PUT", "/instrument/readings", "3");

        response.Status.Should().Be(405);
        response.Headers.Allow.ToString().Should().Be("GET");
    }

    [Fact]
    public async Task Reset_SetsTheDefaultAndAnswersIt()
    {
        await _things.InvokeAsync("PUT", "/instrument/label", "\"changed\"");

        var response = await _things.InvokeAsync("POST", "/instrument/label/reset");

        response.Status.Should().Be(200);
        response.Text.Should().Be("\"none\"");
    }

    [Fact]
    public void Reset_IsNotMappedForReadOnlyOrFunctionalWithoutResetter()
    {
        _things.Find("POST", "/instrument/readings/reset").Should().BeNull("clients cannot reset what they cannot write");
        _things.Find("POST", "/instrument/temperature/reset").Should().BeNull();
        _things.Find("POST", "/instrument/gain/reset").Should().NotBeNull("gain names a resetter");
    }

    [Fact]
    public async Task Read_GetterThatThrows_Is500ProblemNamingTheProperty()
    {
        var response = await _things.InvokeAsync("GET", "/sensor/reading");

        response.Status.Should().Be(500);
        response.ContentType.Should().Be("application/problem+json");
        JsonNode.Parse(response.Text)!["detail"]!.GetValue<string>().Should().Contain("'reading' of 'sensor'").And.Contain("sensor unplugged");
    }

    [Fact]
    public void Observe_IsMappedOnlyForObservableProperties()
    {
        _things.Find("GET", "/instrument/exposure/sse").Should().NotBeNull();
        _things.Find("GET", "/instrument/temperature/sse").Should().BeNull("a functional property is not observable unless it says so");
    }

    [Fact]
    public async Task ThingDescription_WithoutTrailingSlash_RedirectsToTheThingsUrl()
    {
        var response = await _things.InvokeAsync("GET", "/instrument/", path: "/instrument");

        response.Status.Should().Be(307);
        response.Headers.Location.ToString().Should().Be("/instrument/");
    }

    [Fact]
    public async Task WebSocket_PlainRequest_Is426()
    {
        var response = await _things.InvokeAsync("GET", "/instrument/ws");

        response.Status.Should().Be(426);
    }

    private sealed class FlakySensor : Thing
    {
        [ThingProperty]
        public double Reading => throw new IOException("sensor unplugged");
    }
}
