using LabThings.Tests.Support;
using Microsoft.Playwright;

namespace LabThings.Tests.Browser;

/// <summary>What a person sees in a real browser: the stream viewer and Swagger UI.</summary>
[Collection(BrowserTests.Name)]
public sealed class ViewerAndDocsBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Viewer_InChromium_ShowsADecodedFrame()
    {
        await using var server = await RunningServer.StartExampleAsync();
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(server.BaseAddress, "camera/stream/viewer").AbsoluteUri, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await page.WaitForFunctionAsync("() => document.getElementById('stream').naturalWidth > 0", null, new() { Timeout = 15_000 });

        (await page.EvaluateAsync<int>("() => document.getElementById('stream').naturalWidth")).Should().Be(640);
        (await page.EvaluateAsync<int>("() => document.getElementById('stream').naturalHeight")).Should().Be(480);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "labthings-viewer.png") });
    }

    [Fact]
    public async Task Viewer_WithBasic_UsesTheBrowsersOwnSignIn_AndWithBearer_TheTokenInItsUrl()
    {
        await using var server = await Integration.AuthenticationTests.StartAsync(new Dictionary<string, string?>(Integration.AuthenticationTests.BasicUsers)
        {
            ["LabThings:Security:Bearer:SigningKey"] = Integration.AuthenticationTests.SigningKey,
        });
        var viewer = new Uri(server.BaseAddress, "camera/stream/viewer").AbsoluteUri;
        const string Shown = "() => document.getElementById('stream').naturalWidth > 0";

        // Basic: the browser signs in (here with stored credentials, as after its prompt) and sends them with the <img> too.
        await using (var signedIn = await browser.Browser.NewContextAsync(new() { HttpCredentials = new() { Username = "reader", Password = "reader-secret" } }))
        {
            var page = await signedIn.NewPageAsync();
            await page.GotoAsync(viewer, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
            await page.WaitForFunctionAsync(Shown, null, new() { Timeout = 15_000 });
        }

        // Bearer: a short-lived token in the viewer's URL is handed on to the stream.
        await using (var withToken = await browser.Browser.NewContextAsync())
        {
            var page = await withToken.NewPageAsync();
            await page.GotoAsync(viewer + "?access_token=" + Integration.AuthenticationTests.Token("read"), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
            await page.WaitForFunctionAsync(Shown, null, new() { Timeout = 15_000 });
        }

        // Neither: 401 with the challenge that makes a browser ask for a user name and password.
        await using var anonymous = await browser.Browser.NewContextAsync();
        var refused = await anonymous.APIRequest.GetAsync(viewer);
        refused.Status.Should().Be(401);
        refused.Headers["www-authenticate"].Should().Contain("Basic realm=\"LabThings\"");
    }

    [Fact]
    public async Task Docs_InChromium_RendersSwaggerUiWithTheCameraOperationsAndNoExternalRequests()
    {
        await using var server = await RunningServer.StartExampleAsync();
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var foreign = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(server.BaseAddress.AbsoluteUri, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                foreign.Add(request.Url);
            }
        };

        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };

        var docs = await page.GotoAsync(new Uri(server.BaseAddress, "docs/index.html").AbsoluteUri);
        (await docs!.HeaderValueAsync("content-security-policy")).Should().Contain("frame-ancestors 'self'");
        var snapshotOperation = page.Locator(".opblock-summary-path", new() { HasText = "/camera/stream/snapshot" });
        await snapshotOperation.WaitForAsync(new() { Timeout = 15_000 });

        var paths = await page.Locator(".opblock-summary-path").AllInnerTextsAsync();
        paths.Select(p => p.Trim()).Should().Contain(["/camera/", "/camera/stream", "/camera/stream/viewer", "/camera/stream/snapshot"]);
        (await page.Locator(".opblock-tag", new() { HasText = "camera" }).CountAsync()).Should().BePositive();
        (await page.Locator(".info .title").InnerTextAsync()).Should().Contain("LabThings example server");
        foreign.Should().BeEmpty("Swagger UI must work offline, with every file served by this server");
        violations.Should().BeEmpty("Swagger UI must work under its Content-Security-Policy");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "labthings-docs.png"), FullPage = true });
    }
}
