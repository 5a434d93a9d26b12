using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Integration;

/// <summary>How the web page is served (LabThingsOptions.UiPath), over real Kestrel; what it does is in Browser/UiBrowserTests.</summary>
public sealed partial class UiPageTests
{
    [Fact]
    public async Task Root_ServesThePage_WithItsCsp_AndEveryFileItLinksComesFromTheServer()
    {
        await using var server = await RunningServer.StartExampleAsync();
        using var response = await server.Client.GetAsync("");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("script-src 'self';").And.Contain("frame-ancestors 'self'").And.NotContain("unsafe-inline");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("<title>LabThings example server</title>");

        var links = AssetLink().Matches(html).Select(m => m.Groups[1].Value).ToList();
        links.Should().Contain(l => l.EndsWith("app.js", StringComparison.Ordinal)).And.Contain(l => l.EndsWith("ui.css", StringComparison.Ordinal));
        foreach (var link in links.Append("/labthings.ui/thing.js").Append("/labthings.ui/forms.js").Append("/labthings.ui/util.js").Append("/labthings.ui/signin.js").Append("/labthings.ui/mjpeg.js"))
        {
            using var asset = await server.Client.GetAsync(link.TrimStart('/'));
            asset.StatusCode.Should().Be(HttpStatusCode.OK, link);
            asset.Content.Headers.ContentType!.MediaType.Should().BeOneOf("text/javascript", "text/css", "image/svg+xml");
        }
    }

    [Fact]
    public async Task Assets_AnswerNotModifiedForTheirETag_AndUnknownFilesAre404ProblemDetails()
    {
        await using var server = await RunningServer.StartExampleAsync();
        using var first = await server.Client.GetAsync("labthings.ui/app.js");
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "labthings.ui/app.js");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        (await server.Client.SendAsync(again)).StatusCode.Should().Be(HttpStatusCode.NotModified);

        foreach (var missing in new[] { "labthings.ui/nothing.js", "labthings.ui/index.html", "labthings.ui/..%2Fapp.js" })
        {
            using var response = await server.Client.GetAsync(missing);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, missing);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", missing);
        }
    }

    [Fact]
    public async Task UiPath_Null_ServesNoPage_AndAnotherPath_ServesItThere()
    {
        await using (var none = await RunningServer.StartExampleAsync(b => b.Services.Configure<LabThingsOptions>(o => o.UiPath = null)))
        {
            (await none.Client.GetAsync("")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await none.Client.GetAsync("labthings.ui/app.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        await using var lab = await RunningServer.StartExampleAsync(b => b.Services.Configure<LabThingsOptions>(o => o.UiPath = "/lab"));
        (await lab.Client.GetAsync("lab")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await lab.Client.GetAsync("")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await lab.Client.GetAsync("labthings.ui/app.js")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnderAPathPrefix_ThePageAndItsLinksCarryThePrefix()
    {
        await using var server = await RunningServer.StartExampleAsync(b => b.Services.Configure<LabThingsOptions>(o => o.PathPrefix = "/api"));
        var html = await server.Client.GetStringAsync("api/");

        html.Should().Contain("<meta name=\"labthings-root\" content=\"/api/\">")
            .And.Contain("<meta name=\"labthings-docs\" content=\"/api/docs\">")
            .And.Contain("src=\"/api/labthings.ui/app.js");
        (await server.Client.GetAsync("api/labthings.ui/thing.js")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await server.Client.GetAsync("labthings.ui/thing.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnApplicationsOwnRootPage_WinsOverTheUi()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLabThings(o => o.SettingsFolder = RunningServer.NewTemporaryFolder()).AddThing<ManualCamera>("camera");
        await using var app = builder.Build();
        app.MapThings();
        app.MapGet("/", () => Results.Text("my own page", "text/html"));
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            using var client = new HttpClient { BaseAddress = new Uri(address + "/") };
            (await client.GetStringAsync("")).Should().Be("my own page");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task UiPath_WithoutALeadingSlash_IsRefusedAtMapThings_NamingTheOption()
    {
        var builder = WebApplication.CreateBuilder(["--environment", "Production"]);
        builder.Services.AddLabThings(o => o.UiPath = "lab").AddThing<ManualCamera>("camera");
        await using var app = builder.Build();

        var map = () => app.MapThings();

        map.Should().Throw<InvalidOperationException>().WithMessage("*UiPath*'lab'*");
    }

    [GeneratedRegex("(?:src|href)=\"(/labthings\\.ui/[^\"?]+)")]
    private static partial Regex AssetLink();
}
