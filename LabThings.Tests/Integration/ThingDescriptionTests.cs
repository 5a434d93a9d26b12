using System.Net;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Thing Descriptions served over real Kestrel, validated against the official W3C TD 1.1 JSON Schema.</summary>
public sealed class ThingDescriptionTests
{
    [Fact]
    public async Task GetThing_ExampleCamera_ServesTdJsonValidAgainstW3cSchema()
    {
        await using var server = await RunningServer.StartExampleAsync();

        using var response = await server.Client.GetAsync("camera/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/td+json");
        var json = await response.Content.ReadAsStringAsync();
        (await TdSchema.ValidateAsync(json)).Should().BeEmpty();
    }

    [Fact]
    public async Task Validator_TdWithoutSecurityOrTitle_IsRejected()
    {
        // The validator itself must be able to fail, or the test above proves nothing.
        await using var server = await RunningServer.StartExampleAsync();
        var td = JsonNode.Parse(await server.Client.GetStringAsync("camera/"))!.AsObject();
        td.Remove("security");
        td.Remove("title");
        td["properties"]!["stream"]!["forms"]![0]!["op"] = "launchrocket";

        var errors = await TdSchema.ValidateAsync(td.ToJsonString());

        errors.Should().HaveCountGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task GetThing_ExampleCamera_ListsStreamAsObservablePropertyWithSnapshotStreamAndViewer()
    {
        await using var server = await RunningServer.StartExampleAsync();

        var td = JsonNode.Parse(await server.Client.GetStringAsync("camera/"))!;

        td["@context"]!.GetValue<string>().Should().Be("https://www.w3.org/2022/wot/td/v1.1");
        td["title"]!.GetValue<string>().Should().Be("Synthetic camera");
        td["base"]!.GetValue<string>().Should().Be(new Uri(server.BaseAddress, "camera/").AbsoluteUri);
        var stream = td["properties"]!["stream"]!;
        stream["readOnly"]!.GetValue<bool>().Should().BeTrue();
        stream["observable"]!.GetValue<bool>().Should().BeTrue();
        stream["description"]!.GetValue<string>().Should().Be("Live view of the test pattern");
        var forms = stream["forms"]!.AsArray();
        forms.Should().HaveCount(2);
        forms[0]!["op"]![0]!.GetValue<string>().Should().Be("readproperty");
        forms[0]!["contentType"]!.GetValue<string>().Should().Be("image/jpeg");
        forms[1]!["op"]![0]!.GetValue<string>().Should().Be("observeproperty");
        forms[1]!["contentType"]!.GetValue<string>().Should().Be("multipart/x-mixed-replace; boundary=frame");
        var link = td["links"]!.AsArray().Single(l => l!["rel"]!.GetValue<string>() == "alternate")!;
        link["rel"]!.GetValue<string>().Should().Be("alternate");
        link["type"]!.GetValue<string>().Should().Be("text/html");

        // Every href, resolved against base, is served with the media type the TD promises (once the camera has a frame).
        var camera = server.Services.GetRequiredService<LabThings.Examples.SyntheticCamera>();
        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 0, TimeSpan.FromSeconds(10))).Should().BeTrue();
        var tdBase = new Uri(td["base"]!.GetValue<string>());
        using var snapshot = await server.Client.GetAsync(new Uri(tdBase, forms[0]!["href"]!.GetValue<string>()));
        snapshot.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        using var live = await server.Client.GetAsync(new Uri(tdBase, forms[1]!["href"]!.GetValue<string>()), HttpCompletionOption.ResponseHeadersRead);
        live.Content.Headers.ContentType!.ToString().Should().Be("multipart/x-mixed-replace; boundary=frame");
        using var viewer = await server.Client.GetAsync(new Uri(tdBase, link["href"]!.GetValue<string>()));
        viewer.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
    }

    [Fact]
    public async Task GetThing_WithoutTrailingSlash_RedirectsToTheTd()
    {
        await using var server = await RunningServer.StartExampleAsync();
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };

        using var response = await noRedirects.GetAsync("camera");

        response.StatusCode.Should().Be(HttpStatusCode.TemporaryRedirect);
        response.Headers.Location!.ToString().Should().Be("/camera/");
        (await server.Client.GetAsync("camera")).Content.Headers.ContentType!.MediaType.Should().Be("application/td+json");
    }

    [Fact]
    public async Task GetThingsAndThingDescriptions_ListEveryThingWithValidTds()
    {
        await using var server = await RunningServer.StartAsync(b => b.Services.AddLabThings()
            .AddThing<ManualCamera>("left")
            .AddThing("right", new ManualCamera()));

        var things = JsonNode.Parse(await server.Client.GetStringAsync("things/"))!.AsObject();
        things.Select(p => p.Key).Should().Equal("left", "right");
        things["right"]!.GetValue<string>().Should().Be(new Uri(server.BaseAddress, "right/").AbsoluteUri);

        var all = JsonNode.Parse(await server.Client.GetStringAsync("thing_descriptions/"))!.AsObject();
        all.Select(p => p.Key).Should().Equal("left", "right");
        foreach (var (_, td) in all)
        {
            (await TdSchema.ValidateAsync(td!.ToJsonString())).Should().BeEmpty();
        }

        all["left"]!["base"]!.GetValue<string>().Should().EndWith("/left/");
    }

    [Fact]
    public async Task UnknownUrl_Is404ProblemDetails()
    {
        await using var server = await RunningServer.StartExampleAsync();

        using var response = await server.Client.GetAsync("camera/no_such_thing");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<int>().Should().Be(404);
    }
}
