using System.Net.Http.Headers;
using System.Net.Http.Json;
using LabThings.Tests.Integration;
using LabThings.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LabThings.Tests.Browser;

/// <summary>
/// The web page on a server that asks for credentials (no anonymous access), in headless Chromium against the example
/// server: HTTP Basic, where the browser asks for the user name and password itself, and bearer tokens, which the
/// person pastes into the page's sign-in control.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class SignInBrowserTests(BrowserFixture browser)
{
    private const string Brightness = "[data-property=brightness] output.value";

    [Fact]
    public async Task WithBasic_TheBrowsersCredentials_GiveLiveValuesWritesTheStreamAndCaptures()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);

        // The context answers the server's Basic challenge as a person would answer the browser's prompt.
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=light",
            configure: o => o.HttpCredentials = new() { Username = "alice", Password = "alice-secret" });
        var page = session.Page;
        await Expect(page.Locator(Brightness)).ToHaveTextAsync("50 %");
        await page.GetByRole(AriaRole.Slider, new() { Name = "Brightness" }).FillAsync("30");
        await Expect(page.Locator("[data-property=status] output.value")).ToHaveTextAsync("On at 30%");

        // Another client's change arrives over the event stream the browser opened with the same credentials.
        using var put = new HttpRequestMessage(HttpMethod.Put, "light/brightness") { Content = JsonContent.Create(40) };
        put.Headers.Authorization = AuthenticationTests.Basic("alice", "alice-secret");
        (await server.Client.SendAsync(put)).EnsureSuccessStatusCode();
        await Expect(page.Locator(Brightness)).ToHaveTextAsync("40 %");
        await Expect(page.Locator("#signin")).ToBeHiddenAsync();

        // The MJPEG stream's <img> and a captured image (a blob) load with the browser's credentials too.
        await page.GotoAsync(new Uri(server.BaseAddress, "?thing=camera").AbsoluteUri);
        var stream = page.GetByRole(AriaRole.Img, new() { Name = "Stream, live" });
        // One check, not a wait and then a read: between the two the player may swap in the next frame, whose image
        // has no size until it is decoded.
        var width = await page.WaitForFunctionAsync("img => img.naturalWidth || null", await stream.ElementHandleAsync(), new() { Timeout = 15_000 });
        (await width.JsonValueAsync<int>()).Should().Be(640);
        await page.GetByRole(AriaRole.Button, new() { Name = "Capture jpeg", Exact = true }).ClickAsync();
        var captured = page.GetByRole(AriaRole.Img, new() { Name = "Output of Capture jpeg" });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalHeight > 0", await captured.ElementHandleAsync(), new() { Timeout = 15_000 });
        (await captured.EvaluateAsync<int>("img => img.naturalHeight")).Should().Be(480);
        session.ConsoleErrors.Should().BeEmpty();
        session.AssertStayedOffline();
    }

    [Fact]
    public async Task WithBasic_TheBrowserAsksForCredentials_DismissedThePageSaysToSignIn_AnsweredItWorks()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        BasicPrompt? prompt = null;
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=light", withAxe: true,
            beforeOpening: async page => prompt = await BasicPrompt.AttachAsync(page, server));
        var page = session.Page;

        // The property reads are answered 401 with the Basic challenge, so the browser asks; the person dismisses it.
        await Expect(page.Locator("[data-property=brightness] .message")).ToHaveTextAsync("Sign in to see this value.");
        prompt!.Asked.Should().Contain("basic LabThings");

        // The page is not broken: it says what to do, and keeps its controls.
        await Expect(page.Locator("#signin")).ToContainTextAsync("Sign-in needed: the browser asks for your user name and password.");
        await Expect(page.Locator(Brightness)).ToHaveTextAsync("—");
        await Expect(page.GetByRole(AriaRole.Slider, new() { Name = "Brightness" })).ToBeVisibleAsync();
        (await session.SeriousAccessibilityViolationsAsync()).Should().BeEmpty();
        session.ConsoleErrors.Where(e => !e.Contains("401", StringComparison.Ordinal)).Should().BeEmpty("only the refused requests are logged");

        // Sign in: the browser asks again, and this time the person answers.
        prompt.Answer = ("alice", "alice-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(Brightness)).ToHaveTextAsync("50 %");
        await Expect(page.Locator("#signin")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Slider, new() { Name = "Brightness" }).FillAsync("20");
        await Expect(page.Locator("[data-property=status] output.value")).ToHaveTextAsync("On at 20%");
        session.AssertStayedOffline();
    }

    [Fact]
    public async Task WithBearer_TheUserSignsInOnThePage_ReadsWritesInvokesSeesTheStream_AndSignsOut()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey });
        var token = AuthenticationTests.Token("*", subject: "ana");
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=light", withAxe: true);
        var page = session.Page;

        // The TD asks for a bearer token: the page offers a field for it, and says why values are missing.
        var field = page.GetByLabel("Access token", new() { Exact = true });
        await Expect(field).ToBeVisibleAsync();
        (await field.GetAttributeAsync("type")).Should().Be("password");
        await Expect(page.Locator("#signin [role=alert]")).ToHaveTextAsync("Sign in to use this server: paste an access token.");
        await Expect(page.Locator("[data-property=brightness] .message")).ToHaveTextAsync("Sign in to see this value.");
        (await session.SeriousAccessibilityViolationsAsync()).Should().BeEmpty("the sign-in control is accessible");

        // A wrong or expired token is refused with a clear message, and not kept.
        foreach (var wrong in new[] { "not-a-token", AuthenticationTests.Token("*", TimeSpan.FromMinutes(-5)) })
        {
            await field.FillAsync(wrong);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.Locator("#signin [role=alert]")).ToContainTextAsync("The server did not accept this token. The bearer token is not valid");
            (await page.EvaluateAsync<int>("() => sessionStorage.length")).Should().Be(0);
        }

        await session.ScreenshotAsync("signin");

        // The right one: the page starts again signed in, and everything works with the token.
        await field.FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Expect(page.Locator("#signin")).ToContainTextAsync("Signed in as ana with a token, valid until");
        await Expect(page.Locator(Brightness)).ToHaveTextAsync("50 %");
        (await session.SeriousAccessibilityViolationsAsync()).Should().BeEmpty("the signed-in control is accessible");

        await page.GetByRole(AriaRole.Slider, new() { Name = "Brightness" }).FillAsync("73");
        (await Eventually.TrueAsync(async () => await ReadAsync(server, token, "light/brightness") == "73")).Should().BeTrue("the write carries the token");
        using (var put = new HttpRequestMessage(HttpMethod.Put, "light/brightness") { Content = JsonContent.Create(10) })
        {
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await server.Client.SendAsync(put)).EnsureSuccessStatusCode();
        }

        await Expect(page.Locator(Brightness)).ToHaveTextAsync("10 %", new() { Timeout = 10_000 });

        // Invoking an action; the sign-in stays for the tab's next pages.
        await page.GotoAsync(new Uri(server.BaseAddress, "?thing=counter").AbsoluteUri);
        await page.GetByRole(AriaRole.Button, new() { Name = "Increment counter", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-action=increment_counter] .result output")).ToHaveTextAsync("1");
        (await ReadAsync(server, token, "counter/counter")).Should().Be("1");

        // The stream (read by the page with the token in a header), a capture and its download, a snapshot, an event.
        await page.GotoAsync(new Uri(server.BaseAddress, "?thing=camera").AbsoluteUri);
        var stream = page.GetByRole(AriaRole.Img, new() { Name = "Stream, live" });
        // One check, not a wait and then a read: between the two the player may swap in the next frame, whose image
        // has no size until it is decoded.
        var width = await page.WaitForFunctionAsync("img => img.naturalWidth || null", await stream.ElementHandleAsync(), new() { Timeout = 15_000 });
        (await width.JsonValueAsync<int>()).Should().Be(640);
        (await stream.EvaluateAsync<string>("img => img.currentSrc")).Should().StartWith("blob:");
        await page.GetByRole(AriaRole.Button, new() { Name = "Capture jpeg", Exact = true }).ClickAsync();
        var captured = page.GetByRole(AriaRole.Img, new() { Name = "Output of Capture jpeg" });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalHeight > 0", await captured.ElementHandleAsync(), new() { Timeout = 15_000 });
        (await captured.EvaluateAsync<int>("img => img.naturalHeight")).Should().Be(480);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-action=capture_jpeg] a[download]").ClickAsync());
        download.SuggestedFilename.Should().EndWith(".jpg");
        var saved = await download.PathAsync();
        Jpeg.Decode(await File.ReadAllBytesAsync(saved)).Should().Be((640, 480), "the download is the captured JPEG, fetched with the token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Snapshot of Stream" }).ClickAsync();
        var snapshot = page.GetByRole(AriaRole.Img, new() { Name = "Snapshot of Stream" });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await snapshot.ElementHandleAsync(), new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate overheat", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Log, new() { Name = "Event feed" }).Locator("li").First).ToContainTextAsync("Overheated");
        (await page.GetByRole(AriaRole.Link, new() { Name = "Open viewer" }).CountAsync()).Should().Be(0, "the viewer would need the token in its address");

        // The token is in this tab's sessionStorage only: not in the page, not in localStorage, and in no URL but an
        // EventSource's (which cannot send a header).
        (await page.EvaluateAsync<bool>("""
            t => document.documentElement.outerHTML.includes(t) || [...document.querySelectorAll('input, textarea')].some(i => i.value.includes(t))
            """, token)).Should().BeFalse();
        (await page.EvaluateAsync<int>("() => localStorage.length")).Should().Be(0);
        (await page.EvaluateAsync<string[]>("() => Object.values(sessionStorage)")).Should().Equal(token);
        var ssePaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var thing in new[] { "light", "counter", "camera" })
        {
            ssePaths.UnionWith(await FirefoxUiTests.SsePathsAsync(server, token, thing));
        }

        session.Requests.Where(u => u.Contains(token, StringComparison.Ordinal)).Select(u => new Uri(u).AbsolutePath).Should()
            .NotBeEmpty().And.OnlyContain(path => ssePaths.Contains(path));
        session.ConsoleErrors.Where(e => !e.Contains("401", StringComparison.Ordinal)).Should().BeEmpty();
        session.AssertStayedOffline();

        // Signing out forgets the token.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("Access token", new() { Exact = true })).ToBeVisibleAsync();
        (await page.EvaluateAsync<int>("() => sessionStorage.length")).Should().Be(0);
        await Expect(page.Locator("[data-stream=stream] [role=alert]")).ToHaveTextAsync("Sign in to see the stream.");
        await Expect(page.Locator("[data-property=frame_rate] .message")).ToHaveTextAsync("Sign in to see this value.");
    }

    private static async Task<string> ReadAsync(RunningServer server, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsStringAsync()).Trim();
    }

    /// <summary>
    /// The browser's sign-in prompt for HTTP Basic, played by the test over the DevTools protocol: Chromium reports
    /// <c>Fetch.authRequired</c> where a person would see the prompt, and the test dismisses it or answers it.
    /// </summary>
    private sealed class BasicPrompt
    {
        private readonly List<string> _asked = [];

        /// <summary>The challenges the browser asked about, as scheme and realm.</summary>
        public List<string> Asked
        {
            get
            {
                lock (_asked)
                {
                    return [.. _asked];
                }
            }
        }

        /// <summary>What the person answers; null dismisses the prompt.</summary>
        public (string User, string Password)? Answer { get; set; }

        public static async Task<BasicPrompt> AttachAsync(IPage page, RunningServer server)
        {
            var prompt = new BasicPrompt();
            var cdp = await page.Context.NewCDPSessionAsync(page);
            cdp.Event("Fetch.requestPaused").OnEvent += (_, paused) =>
                _ = cdp.SendAsync("Fetch.continueRequest", new() { ["requestId"] = paused!.Value.GetProperty("requestId").GetString()! });
            cdp.Event("Fetch.authRequired").OnEvent += (_, asked) =>
            {
                var challenge = asked!.Value.GetProperty("authChallenge");
                lock (prompt._asked)
                {
                    prompt._asked.Add($"{challenge.GetProperty("scheme").GetString()} {challenge.GetProperty("realm").GetString()}");
                }

                var response = prompt.Answer is { } answer
                    ? new Dictionary<string, object> { ["response"] = "ProvideCredentials", ["username"] = answer.User, ["password"] = answer.Password }
                    : new Dictionary<string, object> { ["response"] = "CancelAuth" };
                _ = cdp.SendAsync("Fetch.continueWithAuth", new() { ["requestId"] = asked.Value.GetProperty("requestId").GetString()!, ["authChallengeResponse"] = response });
            };
            await cdp.SendAsync("Fetch.enable", new()
            {
                ["handleAuthRequests"] = true,
                ["patterns"] = new[] { new Dictionary<string, object> { ["urlPattern"] = server.BaseAddress.AbsoluteUri + "*" } },
            });
            return prompt;
        }
    }
}
