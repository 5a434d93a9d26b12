using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>
/// A Thing's own HTTP endpoints ([HttpEndpoint], issue 11; labthings-fastapi's @endpoint): served under the Thing's
/// path with ASP.NET Core's parameter binding, described in OpenAPI but not in the TD, and guarded like the rest.
/// </summary>
public sealed class HttpEndpointTests
{
    public sealed class Files : Thing
    {
        private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal) { ["a.txt"] = "alpha", ["b.txt"] = "beta" };

        [ThingProperty]
        public int Count => _files.Count;

        [HttpEndpoint("GET", "files/{name}", Summary = "Download a file")]
        public IResult Download(string name) => _files.TryGetValue(name, out var text) ? Results.Text(text) : Results.NotFound();

        [HttpEndpoint("DELETE", "files/{name}")]
        public IResult Delete(string name) => _files.Remove(name) ? Results.NoContent() : Results.NotFound();
    }

    [Fact]
    public async Task ExampleCameraThumbnail_IsServed_InOpenApi_NotInTheTd()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var camera = server.Services.GetRequiredService<LabThings.Examples.SyntheticCamera>();
        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 0, TimeSpan.FromSeconds(10))).Should().BeTrue();

        using var thumbnail = await server.Client.GetAsync("camera/thumbnail?width=100");
        thumbnail.StatusCode.Should().Be(HttpStatusCode.OK);
        thumbnail.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        using var image = SkiaSharp.SKBitmap.Decode(await thumbnail.Content.ReadAsByteArrayAsync());
        (image.Width, image.Height).Should().Be((100, 75));

        using var bad = await server.Client.GetAsync("camera/thumbnail?width=5");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var notANumber = await server.Client.GetAsync("camera/thumbnail?width=wide");
        notANumber.StatusCode.Should().Be(HttpStatusCode.BadRequest, "ASP.NET Core's binding refuses it");

        var openApi = JsonNode.Parse(await server.Client.GetStringAsync("openapi.json"))!;
        var operation = openApi["paths"]!["/camera/thumbnail"]!["get"]!;
        operation["summary"]!.GetValue<string>().Should().Be("The newest frame, scaled down");
        operation["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("camera");
        operation["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Should().Contain("width");
        (await server.Client.GetStringAsync("camera/")).Should().NotContain("thumbnail");
    }

    [Fact]
    public async Task CustomEndpoints_AreGuardedLikeTheRest()
    {
        await using var server = await RunningServer.StartAsync(b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LabThings:Security:Basic:Users:reader:Password"] = "reader-secret",
                ["LabThings:Security:Basic:Users:reader:Scopes:0"] = "read",
                ["LabThings:Security:Basic:Users:admin:Password"] = "admin-secret",
            });
            b.Services.AddLabThings().AddThing<Files>("files");
        });
        async Task<HttpStatusCode> Send(HttpMethod method, string path, string? user = null, string? origin = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (user is not null)
            {
                request.Headers.Authorization = AuthenticationTests.Basic(user, user + "-secret");
            }

            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            using var response = await server.Client.SendAsync(request);
            return response.StatusCode;
        }

        (await Send(HttpMethod.Get, "files/files/a.txt")).Should().Be(HttpStatusCode.Unauthorized);
        (await Send(HttpMethod.Get, "files/files/a.txt", "reader")).Should().Be(HttpStatusCode.OK);
        (await Send(HttpMethod.Delete, "files/files/a.txt", "reader")).Should().Be(HttpStatusCode.Forbidden, "deleting needs the write permission");
        (await Send(HttpMethod.Delete, "files/files/a.txt", "admin", origin: "http://evil.example")).Should().Be(HttpStatusCode.Forbidden, "a foreign page cannot delete");
        server.Services.GetRequiredService<Files>().Count.Should().Be(2, "nothing was deleted");
        (await Send(HttpMethod.Delete, "files/files/a.txt", "admin")).Should().Be(HttpStatusCode.NoContent);
        (await Send(HttpMethod.Get, "files/files/a.txt", "admin")).Should().Be(HttpStatusCode.NotFound);
    }

    public sealed class BadEndpoints : Thing
    {
        [ThingProperty]
        public int Level { get; set => SetProperty(ref field, value); }

        [HttpEndpoint("FETCH", "x")]
        public IResult WrongVerb() => Results.Ok();

        [HttpEndpoint("GET", "/absolute")]
        public IResult Absolute() => Results.Ok();

        [HttpEndpoint("GET", "level/history")]
        public IResult Clash() => Results.Ok();

        [HttpEndpoint("GET", "text")]
        public string NotAResult() => "x";
    }

    [Fact]
    public void BadDeclarations_AreFoundAtDiscovery()
    {
        var problems = new List<string>();
        ThingDefinitions.TryGet(typeof(BadEndpoints), problems).Should().BeNull();
        problems.Should().Contain(p => p.Contains("BadEndpoints.WrongVerb: [HttpEndpoint] method 'FETCH' is not one of", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadEndpoints.Absolute: [HttpEndpoint] path '/absolute' must be a relative route", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadEndpoints.Clash: [HttpEndpoint] path 'level/history' starts with 'level'", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("BadEndpoints.NotAResult: an [HttpEndpoint] method returns an ASP.NET Core IResult", StringComparison.Ordinal));
    }
}
