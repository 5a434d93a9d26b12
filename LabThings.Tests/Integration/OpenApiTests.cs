using System.Net;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenApiContact = Microsoft.OpenApi.OpenApiContact;
using OpenApiDocument = Microsoft.OpenApi.OpenApiDocument;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LabThings.Tests.Integration;

/// <summary>The OpenAPI document describes the endpoints the server really has.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public async Task GetOpenApi_ListsTheStreamEndpointsWithTheirMediaTypes()
    {
        await using var server = await RunningServer.StartExampleAsync();

        using var response = await server.Client.GetAsync("openapi.json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        doc["openapi"]!.GetValue<string>().Should().StartWith("3.");
        doc["info"]!["title"]!.GetValue<string>().Should().Be("LabThings example server");
        var paths = doc["paths"]!.AsObject();
        MediaTypes(paths, "/camera/stream").Should().Contain("multipart/x-mixed-replace; boundary=frame");
        MediaTypes(paths, "/camera/stream/viewer").Should().Contain("text/html");
        MediaTypes(paths, "/camera/stream/snapshot").Should().Contain("image/jpeg");
        paths["/camera/stream/snapshot"]!["get"]!["responses"]!["503"]!["content"]!["application/problem+json"].Should().NotBeNull();
        MediaTypes(paths, "/camera/").Should().Contain("application/td+json");
        paths["/camera/stream"]!["get"]!["description"]!.GetValue<string>().Should().Contain("Live view of the test pattern");
        paths["/camera/stream"]!["get"]!["tags"]![0]!.GetValue<string>().Should().Be("camera");
    }

    [Fact]
    public async Task OpenApiPaths_AreAllServed()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var camera = server.Services.GetRequiredService<LabThings.Examples.SyntheticCamera>();
        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 0, TimeSpan.FromSeconds(10))).Should().BeTrue("the snapshot needs a frame");
        var doc = JsonNode.Parse(await server.Client.GetStringAsync("openapi.json"))!;

        var checkedOperations = 0;
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            if (path.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }

            // A long poll's GET waits for the next change (LongPollTests); its HEAD answers at once.
            var longPoll = path.EndsWith("/longpoll", StringComparison.Ordinal);
            foreach (var (method, _) in item!.AsObject().Where(m => (m.Key == "get" && !longPoll) || (m.Key == "head" && longPoll) || (m.Key == "post" && path.EndsWith("/reset", StringComparison.Ordinal))))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path.TrimStart('/'));
                using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var expected = path.EndsWith("/ws", StringComparison.Ordinal) ? HttpStatusCode.UpgradeRequired : HttpStatusCode.OK;
                response.StatusCode.Should().Be(expected, $"{method} {path} is in the OpenAPI document");
                checkedOperations++;
            }
        }

        checkedOperations.Should().BeGreaterThan(10);
    }

    [Fact]
    public async Task GetOpenApi_IsAValidCompactDocument()
    {
        await using var server = await RunningServer.StartExampleAsync();

        var json = await server.Client.GetStringAsync("openapi.json");

        (await OpenApiValidator.ValidateAsync(json)).Should().BeEmpty();
        // Shared schemas are components, referenced, not copied: about 970 bytes per operation (95 KB for the five
        // example Things' 98 operations); copying the Invocation and ProblemDetails schemas into each would triple it.
        var operations = JsonNode.Parse(json)!["paths"]!.AsObject().Sum(p => p.Value!.AsObject().Count(m => m.Key is "get" or "put" or "post" or "delete" or "head"));
        (System.Text.Encoding.UTF8.GetByteCount(json) / operations).Should().BeLessThan(1100, "shared schemas are components, referenced, not copied");
    }

    [Fact]
    public async Task Validator_BrokenReference_IsRejected()
    {
        // The validator itself must be able to fail, or the test above proves nothing.
        await using var server = await RunningServer.StartExampleAsync();
        var doc = JsonNode.Parse(await server.Client.GetStringAsync("openapi.json"))!.AsObject();
        doc["components"]!["schemas"]!.AsObject().Remove("Invocation");

        (await OpenApiValidator.ValidateAsync(doc.ToJsonString())).Should().NotBeEmpty();
    }

    [Fact]
    public async Task GetOpenApi_SharedSchemasAreComponents_EachDefinedOnceAndReferenced()
    {
        await using var server = await RunningServer.StartExampleAsync();

        var json = await server.Client.GetStringAsync("openapi.json");
        var doc = JsonNode.Parse(json)!;

        var components = doc["components"]!["schemas"]!.AsObject().Select(c => c.Key).ToList();
        components.Should().Contain(["Invocation", "ProblemDetails", "BlobLink", "Light.brightness", "Counter.increment_counter.input"]);
        foreach (var component in components)
        {
            json.Should().Contain($"\"#/components/schemas/{component}\"", $"the component {component} is used");
        }

        CountOf(json, "Where the invocation is in its life").Should().Be(1, "the invocation is described once, as a component");
        CountOf(json, "\"application/problem+json\":{\"schema\":{\"$ref\":\"#/components/schemas/ProblemDetails\"}}").Should().BeGreaterThan(20, "every error response refers to the problem details component");
        var invoke = doc["paths"]!["/counter/increment_counter"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["schema"]!;
        invoke["allOf"]![0]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/Invocation");
        invoke["allOf"]![1]!["properties"]!["output"]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/Counter.increment_counter.output");
    }

    [Fact]
    public async Task AnApplicationsOwnMinimalApiEndpoint_IsDescribedBesideTheThings()
    {
        await using var server = await RunningServer.StartAsync(
            b => b.Services.AddLabThings().AddThing<Worker>("worker"),
            map: app => app.MapGet("/lab/greeting/{name}", (string name, int? times, TimeProvider clock) => Results.Ok(new Greeting(string.Concat(Enumerable.Repeat($"hello {name} at {clock.GetUtcNow():t}", times ?? 1))))));

        var doc = JsonNode.Parse(await server.Client.GetStringAsync("openapi.json"))!;

        var greeting = doc["paths"]!["/lab/greeting/{name}"]!["get"]!;
        greeting["parameters"]!.AsArray().Select(p => (p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>()))
            .Should().BeEquivalentTo([("name", "path"), ("times", "query")], "the clock is one of the application's services");
        greeting["requestBody"].Should().BeNull("the clock is one of the application's services");
        doc["paths"]!["/worker/"].Should().NotBeNull("the Things are described too");
        (await OpenApiValidator.ValidateAsync(doc.ToJsonString())).Should().BeEmpty();
    }

    [Fact]
    public async Task TheApplicationsSwaggerGenConfiguration_IsApplied()
    {
        await using var server = await RunningServer.StartAsync(b =>
        {
            b.Services.AddLabThings().AddThing<Worker>("worker");
            b.Services.ConfigureSwaggerGen(o => o.DocumentFilter<ContactFilter>("lab-support@example.org"));
        });

        var doc = JsonNode.Parse(await server.Client.GetStringAsync("openapi.json"))!;

        doc["info"]!["contact"]!["email"]!.GetValue<string>().Should().Be("lab-support@example.org");
        doc["info"]!["title"]!.GetValue<string>().Should().Be("LabThings", "LabThings' own document settings stay");
        doc["paths"]!["/worker/"].Should().NotBeNull();
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static IEnumerable<string> MediaTypes(JsonObject paths, string path)
        => paths[path]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Select(p => p.Key);

    public sealed record Greeting(string Text);

    /// <summary>An application's own document filter, with a constructor argument given in its registration.</summary>
    public sealed class ContactFilter(string email) : IDocumentFilter
    {
        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
            => swaggerDoc.Info.Contact = new OpenApiContact { Email = email };
    }
}
