using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LabThings.Tests.Browser;

/// <summary>
/// The web page at <c>/</c> in headless Chromium against the example server: what a person at the instrument does
/// with it. With <c>LABTHINGS_SCREENSHOTS=1</c> the tests also save screenshots into docs/ui (scripts/screenshots.sh).
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class UiBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Root_ListsEveryThing_WithLinksToTheirPagesAndToTheDocs()
    {
        await using var server = await RunningServer.StartExampleAsync();
        await using var session = await UiSession.OpenAsync(browser, server, "");

        var response = session.Response!;
        (await response.HeaderValueAsync("content-security-policy")).Should().Contain("script-src 'self';").And.Contain("frame-ancestors 'self'");
        var things = session.Page.Locator(".things > li h2 a");
        await Expect(things).ToHaveCountAsync(5);
        (await things.AllInnerTextsAsync()).Should().BeEquivalentTo(["Synthetic camera", "Counter", "Light", "Stage", "Autofocus"]);
        (await session.Page.GetByRole(AriaRole.Link, new() { Name = "API documentation (Swagger UI)" }).GetAttributeAsync("href")).Should().Be("/docs");

        await session.Page.GetByRole(AriaRole.Link, new() { Name = "Light", Exact = true }).ClickAsync();
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Light", Level = 1 })).ToBeVisibleAsync();
        session.Page.Url.Should().EndWith("/?thing=light");
        await session.ScreenshotAsync("index", atStart: true);
        session.AssertStayedOffline();
    }

    [Fact]
    public async Task Light_SliderWritesTheServer_HttpChangesAppearLive_AndOutOfRangeShowsTheServersMessage()
    {
        await using var server = await RunningServer.StartExampleAsync();
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=light");
        var page = session.Page;
        var shown = page.Locator("[data-property=brightness] output.value");
        await Expect(shown).ToHaveTextAsync("50 %");

        // Moving the slider writes the property.
        var slider = page.GetByRole(AriaRole.Slider, new() { Name = "Brightness" });
        await slider.FillAsync("73");
        (await Eventually.TrueAsync(async () => await BrightnessAsync(server) == 73)).Should().BeTrue("the slider's value is PUT to the server");
        await slider.PressAsync("ArrowLeft");
        (await Eventually.TrueAsync(async () => await BrightnessAsync(server) == 72)).Should().BeTrue("the keyboard moves the slider too");

        // A change made by another client appears without reloading (SSE), and the derived read-only one follows.
        (await server.Client.PutAsJsonAsync("light/brightness", 0)).EnsureSuccessStatusCode();
        await Expect(shown).ToHaveTextAsync("0 %");
        await Expect(page.Locator("[data-property=is_on] output.value")).ToHaveTextAsync("No");

        // The server refuses 150: its message appears next to the control, and the value stays.
        var field = page.GetByRole(AriaRole.Spinbutton, new() { Name = "Brightness" });
        await field.FillAsync("150");
        await field.PressAsync("Enter");
        await Expect(page.Locator("[data-property=brightness] .message.error")).ToContainTextAsync("at most 100");
        (await BrightnessAsync(server)).Should().Be(0);

        // Read-only properties have no control.
        (await page.Locator("[data-property=is_on] input").CountAsync()).Should().Be(0);
        await session.ScreenshotAsync("light");
        session.AssertStayedOffline();
    }

    [Fact]
    public async Task Counter_SlowActionShowsMovingProgressAndLog_CancelEndsItCancelled_AndIncrementShowsItsOutput()
    {
        await using var server = await RunningServer.StartExampleAsync();
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=counter");
        var page = session.Page;
        var card = page.Locator("[data-action=slowly_increase_counter]");
        await card.GetByRole(AriaRole.Spinbutton, new() { Name = "increments" }).FillAsync("100");
        await card.GetByRole(AriaRole.Spinbutton, new() { Name = "interval" }).FillAsync("0.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Slowly increase counter", Exact = true }).ClickAsync();

        var progress = page.GetByRole(AriaRole.Progressbar, new() { Name = "Slowly increase counter progress" });
        await page.WaitForFunctionAsync("p => p.value >= 0.05", await progress.ElementHandleAsync(), new() { Timeout = 15_000 });
        var first = await progress.EvaluateAsync<double>("p => p.value");
        await page.WaitForFunctionAsync($"p => p.value > {first.ToString(CultureInfo.InvariantCulture)}", await progress.ElementHandleAsync(), new() { Timeout = 15_000 });
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Slowly increase counter log" })).ToContainTextAsync("Counting up 100 times");
        await session.ScreenshotAsync("counter");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel Slowly increase counter" }).ClickAsync();
        await Expect(card.Locator(".state")).ToHaveTextAsync("Slowly increase counter: cancelled", new() { Timeout = 15_000 });
        await Expect(card.Locator(".result")).ToContainTextAsync("was cancelled");
        var invocations = await server.Client.GetFromJsonAsync<JsonElement>("counter/slowly_increase_counter");
        invocations.EnumerateArray().Single().GetProperty("status").GetString().Should().Be("cancelled");
        var count = await CountAsync(server);
        count.Should().BeInRange(1, 99);

        // The counter's live value follows; increment_counter shows its output.
        await Expect(page.Locator("[data-property=counter] output.value")).ToHaveTextAsync(count.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Increment counter", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-action=increment_counter] .result output")).ToHaveTextAsync((count + 1).ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-action=increment_counter] .recent li")).ToHaveCountAsync(1);
        session.AssertStayedOffline();
    }

    [Fact]
    public async Task Camera_StreamShowsFrames_CaptureShowsTheImage_SnapshotWorks_AndTheEventAppearsInTheFeed()
    {
        await using var server = await RunningServer.StartExampleAsync();
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=camera");
        var page = session.Page;

        var stream = page.GetByRole(AriaRole.Img, new() { Name = "Stream, live" });
        await page.WaitForFunctionAsync("img => img.naturalWidth > 0", await stream.ElementHandleAsync(), new() { Timeout = 15_000 });
        (await stream.EvaluateAsync<int>("img => img.naturalWidth")).Should().Be(640);

        await page.GetByRole(AriaRole.Button, new() { Name = "Capture jpeg", Exact = true }).ClickAsync();
        var captured = page.GetByRole(AriaRole.Img, new() { Name = "Output of Capture jpeg" });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await captured.ElementHandleAsync(), new() { Timeout = 15_000 });
        (await captured.EvaluateAsync<int>("img => img.naturalHeight")).Should().Be(480);
        (await page.Locator("[data-action=capture_jpeg] a[download]").GetAttributeAsync("href")).Should().StartWith(server.BaseAddress.AbsoluteUri + "blob/");

        await page.GetByRole(AriaRole.Button, new() { Name = "Snapshot of Stream" }).ClickAsync();
        var snapshot = page.GetByRole(AriaRole.Img, new() { Name = "Snapshot of Stream" });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await snapshot.ElementHandleAsync(), new() { Timeout = 15_000 });

        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "temperature" }).FillAsync("91.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate overheat", Exact = true }).ClickAsync();
        var feed = page.GetByRole(AriaRole.Log, new() { Name = "Event feed" });
        await Expect(feed.Locator("li").First).ToContainTextAsync("Overheated");
        await Expect(feed.Locator("li").First).ToContainTextAsync("91.5");
        await session.ScreenshotAsync("camera");
        session.AssertStayedOffline();
    }

    [Fact]
    public async Task EveryPage_HasNoSeriousAccessibilityViolations_NoConsoleErrors_NoOutsideRequests_AndFitsATablet()
    {
        await using var server = await RunningServer.StartExampleAsync();
        foreach (var query in new[] { "", "?thing=camera", "?thing=counter", "?thing=light", "?thing=stage", "?thing=autofocus" })
        {
            await using var session = await UiSession.OpenAsync(browser, server, query, withAxe: true);
            await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await session.Page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 3_000 }).ContinueWith(_ => { }, TaskScheduler.Default);
            var violations = await session.Page.EvaluateAsync<JsonElement>("""
                async () => {
                  const result = await axe.run(document, { resultTypes: ['violations'] });
                  return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }));
                }
                """);
            var serious = violations.EnumerateArray()
                .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
                .Select(v => v.ToString())
                .ToList();
            serious.Should().BeEmpty($"axe-core finds no serious violations on '/{query}'");
            session.ConsoleErrors.Should().BeEmpty($"'/{query}' runs without script errors or CSP violations");
            session.AssertStayedOffline();

            // On a tablet beside the instrument (768 px wide, portrait) nothing needs scrolling sideways.
            await session.Page.SetViewportSizeAsync(768, 1024);
            (await session.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"))
                .Should().BeTrue($"'/{query}' fits a tablet's width");
            await session.Page.SetViewportSizeAsync(1280, 900);
            if (query is "?thing=stage" or "?thing=autofocus")
            {
                await session.ScreenshotAsync(query["?thing=".Length..]);
            }
        }
    }

    [Fact]
    public async Task Controls_FromEnumBooleanStringObjectAndArraySchemas_WriteTheServer_AndShowItsRefusals()
    {
        await using var server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<ControlBench>("bench"));
        await using var session = await UiSession.OpenAsync(browser, server, "?thing=bench");
        var page = session.Page;
        async Task<string> ReadAsync(string property) => (await server.Client.GetStringAsync("bench/" + property)).Trim();

        await page.GetByRole(AriaRole.Combobox, new() { Name = "Mode" }).SelectOptionAsync(new SelectOptionValue { Label = "Scanning" });
        (await Eventually.TrueAsync(async () => await ReadAsync("mode") == "\"Scanning\"")).Should().BeTrue("choosing an option writes the enum");

        await page.GetByRole(AriaRole.Switch, new() { Name = "Shutter" }).CheckAsync();
        (await Eventually.TrueAsync(async () => await ReadAsync("shutter") == "true")).Should().BeTrue("the switch writes the boolean");

        var sample = page.GetByRole(AriaRole.Textbox, new() { Name = "Sample id" });
        await sample.FillAsync("xy");
        await sample.PressAsync("Enter");
        await Expect(page.Locator("[data-property=sample_id] .message.error")).ToContainTextAsync("sample_id");
        await sample.FillAsync("CD456");
        await sample.PressAsync("Enter");
        (await Eventually.TrueAsync(async () => await ReadAsync("sample_id") == "\"CD456\"")).Should().BeTrue();
        await Expect(page.Locator("[data-property=sample_id] .message")).ToHaveTextAsync("");

        var target = page.GetByRole(AriaRole.Group, new() { Name = "Target" });
        await target.GetByRole(AriaRole.Spinbutton, new() { Name = "x" }).FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set Target" }).ClickAsync();
        (await Eventually.TrueAsync(async () => await ReadAsync("target") == """{"x":7,"y":2.5}""")).Should().BeTrue("the nested form writes the object");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add to Wells" }).ClickAsync();
        await page.GetByRole(AriaRole.Spinbutton, new() { Name = "Wells item 3" }).FillAsync("9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set Wells" }).ClickAsync();
        (await Eventually.TrueAsync(async () => await ReadAsync("wells") == "[1,2,9]")).Should().BeTrue("the list writes the array");

        // A change over HTTP moves the controls too.
        (await server.Client.PutAsJsonAsync("bench/mode", "Imaging")).EnsureSuccessStatusCode();
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Mode" }).Locator("option:checked")).ToHaveTextAsync("Imaging");
        session.ConsoleErrors.Where(e => !e.Contains("422", StringComparison.Ordinal)).Should().BeEmpty();
        session.AssertStayedOffline();
    }

    private static async Task<int> BrightnessAsync(RunningServer server) => await server.Client.GetFromJsonAsync<int>("light/brightness");

    private static async Task<int> CountAsync(RunningServer server) => await server.Client.GetFromJsonAsync<int>("counter/counter");
}

/// <summary>What a bench is doing (an enum property for the page's select).</summary>
public enum ControlBenchMode
{
    Idle,
    Scanning,
    Imaging,
}

/// <summary>A target position (an object property for the page's nested form).</summary>
public sealed record ControlBenchTarget(int X, double Y);

/// <summary>A Thing with one writable property of each kind of schema the page makes controls for.</summary>
public sealed class ControlBench : Thing
{
    [ThingProperty(Description = "What the bench is doing")]
    public ControlBenchMode Mode { get; set => SetProperty(ref field, value); } = ControlBenchMode.Idle;

    [ThingProperty(Description = "Whether the shutter is open")]
    public bool Shutter { get; set => SetProperty(ref field, value); }

    [ThingProperty(Pattern = "^[A-Z]{2}[0-9]{3}$", Description = "Two capitals and three digits")]
    public string SampleId { get; set => SetProperty(ref field, value); } = "AB123";

    [ThingProperty(Description = "Where to go")]
    public ControlBenchTarget Target { get; set => SetProperty(ref field, value); } = new(1, 2.5);

    [ThingProperty(Description = "Wells to image")]
    public IReadOnlyList<int> Wells { get; set => SetProperty(ref field, value); } = [1, 2];
}
