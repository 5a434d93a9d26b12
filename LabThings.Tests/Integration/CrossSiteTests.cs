using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using LabThings.Examples;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>
/// What a web page on another site could make the server do (issue 10, found 1): change nothing, open no WebSocket,
/// and not reach a loopback server through a host name of its own (DNS rebinding).
/// </summary>
public sealed class CrossSiteTests : IAsyncLifetime
{
    private const string Evil = "http://evil.example";
    private RunningServer _server = null!;

    private Counter Counter => _server.Services.GetRequiredService<Counter>();

    public async Task InitializeAsync()
        => _server = await RunningServer.StartExampleAsync(b => b.Services.Configure<LabThingsOptions>(o => o.AllowedOrigins.Add("https://dashboard.lab.example")));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Cors_AnswersOnlyTheAllowedOrigins()
    {
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "light/brightness");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "PUT");
            request.Headers.Add("Access-Control-Request-Headers", "content-type, authorization");
            return await _server.Client.SendAsync(request);
        }

        using (var allowed = await Preflight("https://dashboard.lab.example"))
        {
            allowed.StatusCode.Should().Be(HttpStatusCode.NoContent);
            allowed.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://dashboard.lab.example");
            allowed.Headers.GetValues("Access-Control-Allow-Methods").Single().Should().Contain("PUT");
        }

        using (var foreign = await Preflight(Evil))
        {
            foreign.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse("a foreign page may not read answers");
        }

        using var read = new HttpRequestMessage(HttpMethod.Get, "light/brightness");
        read.Headers.Add("Origin", "https://dashboard.lab.example");
        using var response = await _server.Client.SendAsync(read);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://dashboard.lab.example");
    }

    [Fact]
    public async Task Cors_IsOffByDefault()
    {
        await using var server = await RunningServer.StartExampleAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "light/brightness");
        request.Headers.Add("Origin", "https://dashboard.lab.example");
        using var response = await server.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Fact]
    public async Task ForeignOrigin_PostWithoutContentType_Is403AndNothingRuns()
    {
        var before = Counter.Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, "counter/increment_counter");
        request.Headers.Add("Origin", Evil);

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        JsonNode.Parse(await _server.Client.GetStringAsync("action_invocations"))!.AsArray().Should().BeEmpty("no invocation was started");
        Counter.Count.Should().Be(before);
    }

    [Theory]
    [InlineData("PUT", "light/brightness", "42")]
    [InlineData("POST", "light/brightness/reset", null)]
    [InlineData("POST", "counter/increment_counter/sync", "{}")]
    public async Task ForeignOrigin_AnyChange_Is403(string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("Origin", Evil);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ForeignOrigin_CannotCancelAnInvocation()
    {
        using var started = await _server.Client.PostAsync("counter/slowly_increase_counter", new StringContent("""{"increments": 60, "interval": 1}""", System.Text.Encoding.UTF8, "application/json"));
        var href = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["href"]!.GetValue<string>();
        using var cancel = new HttpRequestMessage(HttpMethod.Delete, href);
        cancel.Headers.Add("Origin", Evil);

        using var response = await _server.Client.SendAsync(cancel);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        JsonNode.Parse(await _server.Client.GetStringAsync(href))!["status"]!.GetValue<string>().Should().BeOneOf("pending", "running");
        (await _server.Client.DeleteAsync(href)).StatusCode.Should().Be(HttpStatusCode.OK, "the same request without a foreign Origin is a client's");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://dashboard.lab.example")]
    [InlineData("SELF")]
    public async Task NoOrigin_OwnOrigin_OrAnAllowedOne_MayChangeThings(string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "light/brightness") { Content = new StringContent("42", System.Text.Encoding.UTF8, "application/json") };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin == "SELF" ? _server.BaseAddress.GetLeftPart(UriPartial.Authority) : origin);
        }

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ForeignOrigin_ReadingIsNotRefused()
    {
        // The browser keeps a foreign page from reading the answer (no CORS headers); refusing reads would only break links.
        using var request = new HttpRequestMessage(HttpMethod.Get, "light/brightness");
        request.Headers.Add("Origin", Evil);

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Fact]
    public async Task ForeignOrigin_WebSocketUpgrade_Is403()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", Evil);
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(new Uri(_server.BaseAddress, "light/ws")) { Scheme = "ws" }.Uri;

        var connect = () => socket.ConnectAsync(uri, CancellationToken.None);

        await connect.Should().ThrowAsync<WebSocketException>();
        socket.HttpStatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:5000")]
    [InlineData("192.168.1.20")]
    public async Task LoopbackServer_ForeignHostName_Is400AndNotReflected(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "light/");
        request.Headers.Host = host;

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("attacker.example");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:5000")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:8080")]
    public async Task LoopbackServer_LoopbackHostName_IsServed(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "light/");
        request.Headers.Host = host;

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["base"]!.GetValue<string>().Should().Be($"http://{host}/light/");
    }

    [Fact]
    public async Task Answers_ForbidSniffing_AndTheViewerCannotBeFramedByOtherSites()
    {
        using var value = await _server.Client.GetAsync("light/brightness");
        using var viewer = await _server.Client.GetAsync("camera/stream/viewer");

        value.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        var policy = viewer.Headers.GetValues("Content-Security-Policy").Single();
        policy.Should().Contain("frame-ancestors 'self'").And.Contain("default-src 'none'");
    }

    [Fact]
    public async Task OpenApi_DescribesThe403OfChangesOnly()
    {
        var doc = JsonNode.Parse(await _server.Client.GetStringAsync("openapi.json"))!;

        doc["paths"]!["/light/brightness"]!["put"]!["responses"]!["403"].Should().NotBeNull();
        doc["paths"]!["/light/brightness"]!["get"]!["responses"]!["403"].Should().BeNull();
    }
}
