using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LabThings.Tests.Integration;
using LabThings.Tests.Support;

namespace LabThings.Tests.Browser;

/// <summary>
/// The web page in Debian's Firefox ESR (headless), driven over WebDriver BiDi by puppeteer-core from
/// Interop/ui-firefox.mjs, against the example server: the scenarios of <see cref="UiBrowserTests"/> that matter most,
/// so the page is known to work in Firefox as well as in Chromium. The script waits for what a person would see and
/// reports it (with axe-core's serious and critical findings on each page it opens); these tests check the report and
/// the server's state. In the browser collection, so the two browsers do
/// not run at once on a small machine.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class FirefoxUiTests
{
    private const string Firefox = "/usr/bin/firefox-esr";

    [Fact]
    public async Task Root_ListsEveryThing_AndLinksToTheirPages()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var seen = await RunAsync(server, "index");
        seen.GetProperty("things").EnumerateArray().Select(t => t.GetString()).Should()
            .BeEquivalentTo(["Synthetic camera", "Counter", "Light", "Stage", "Autofocus"]);
        seen.GetProperty("docs").GetString().Should().Be("/docs");
        seen.GetProperty("url").GetString().Should().EndWith("/?thing=light");
    }

    [Fact]
    public async Task Light_MouseAndKeyboardWriteTheServer_HttpChangesAppearLive_AndOutOfRangeShowsTheServersMessage()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var seen = await RunAsync(server, "light");
        var dragged = seen.GetProperty("dragged").GetInt32();
        dragged.Should().BeGreaterThan(60, "the thumb was dragged to 80% of the slider");
        seen.GetProperty("keyed").GetInt32().Should().Be(dragged - 1, "ArrowLeft moves the slider down by one step");
        seen.GetProperty("afterHttp").GetString().Should().Be("0 %");
        seen.GetProperty("refusal").GetString().Should().Contain("at most 100");
        (await server.Client.GetFromJsonAsync<int>("light/brightness")).Should().Be(0, "the refused 150 was not stored");
    }

    [Fact]
    public async Task Counter_SlowActionShowsProgressAndLog_CancelEndsItCancelled_AndIncrementShowsItsOutput()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var seen = await RunAsync(server, "counter");
        seen.GetProperty("progressLater").GetDouble().Should().BeGreaterThan(seen.GetProperty("progressFirst").GetDouble(), "the progress bar moves");
        seen.GetProperty("log").EnumerateArray().Select(l => l.GetString()).Should().Contain(l => l!.Contains("Counting up 100 times", StringComparison.Ordinal));
        seen.GetProperty("state").GetString().Should().Be("Slowly increase counter: cancelled");
        var invocations = await server.Client.GetFromJsonAsync<JsonElement>("counter/slowly_increase_counter");
        invocations.EnumerateArray().Single().GetProperty("status").GetString().Should().Be("cancelled");
        var count = seen.GetProperty("count").GetInt32();
        count.Should().BeInRange(1, 99);
        seen.GetProperty("incremented").GetInt32().Should().Be(count + 1);
        (await server.Client.GetFromJsonAsync<int>("counter/counter")).Should().Be(count + 1);
    }

    [Fact]
    public async Task Camera_StreamShowsFrames_CaptureShowsTheImage_SnapshotWorks_AndTheEventAppearsInTheFeed()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var seen = await RunAsync(server, "camera");
        seen.GetProperty("streamWidth").GetInt32().Should().Be(640, "Firefox decodes the MJPEG stream in the <img>");
        seen.GetProperty("streamSrcIsBlob").GetBoolean().Should().BeFalse("without a token the browser plays the stream itself");
        seen.GetProperty("capturedHeight").GetInt32().Should().Be(480);
        seen.GetProperty("download").GetString().Should().StartWith(server.BaseAddress.AbsoluteUri + "blob/");
        seen.GetProperty("snapshotWidth").GetInt32().Should().Be(640);
        seen.GetProperty("event").GetString().Should().Contain("Overheated").And.Contain("91.5");
    }

    [Fact]
    public async Task WithBearer_SigningInOnThePage_PlaysTheStreamAndShowsCaptures_WithTheTokenOnlyInEventStreamUrls()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey });
        var token = AuthenticationTests.Token("*");
        var seen = await RunAsync(server, "bearer", token);
        seen.GetProperty("streamWidth").GetInt32().Should().Be(640);
        seen.GetProperty("streamSrcIsBlob").GetBoolean().Should().BeTrue("with a token the page reads the stream itself, with the token in a header");
        seen.GetProperty("capturedHeight").GetInt32().Should().Be(480, "the captured blob is fetched with the token");
        seen.GetProperty("tokenInDom").GetBoolean().Should().BeFalse("the token is kept in sessionStorage, not in the page");
        var ssePaths = await SsePathsAsync(server, token, "camera");
        seen.GetProperty("tokenInUrls").EnumerateArray().Select(u => u.GetString()).Should().NotBeEmpty()
            .And.OnlyContain(path => ssePaths.Contains(path!), "only an EventSource, which cannot send a header, carries the token in its URL");
    }

    /// <summary>The paths of the Thing's SSE forms (observing properties, subscribing to events).</summary>
    internal static async Task<HashSet<string>> SsePathsAsync(RunningServer server, string token, string thing)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, thing + "/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Client.SendAsync(request);
        var td = await response.Content.ReadFromJsonAsync<JsonElement>();
        var baseUri = new Uri(td.GetProperty("base").GetString()!);
        return td.GetProperty("properties").EnumerateObject().Concat(td.GetProperty("events").EnumerateObject())
            .SelectMany(a => a.Value.GetProperty("forms").EnumerateArray())
            .Where(f => f.TryGetProperty("subprotocol", out var sub) && sub.GetString() == "sse")
            .Select(f => new Uri(baseUri, f.GetProperty("href").GetString()).AbsolutePath)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<JsonElement> RunAsync(RunningServer server, string scenario, string? token = null)
    {
        RepositoryPaths.RequireFile(Firefox, "Debian's firefox-esr is needed for the Firefox tests: run scripts/test.sh, which installs it (apt-get install firefox-esr)");
        string[] arguments = token is null ? [server.BaseAddress.AbsoluteUri, scenario] : [server.BaseAddress.AbsoluteUri, scenario, token];
        var output = await NodeScripts.RunAsync("ui-firefox.mjs", "", "puppeteer-core", TimeSpan.FromMinutes(3), arguments);
        var seen = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
        seen.GetProperty("browser").GetString().Should().StartWith("firefox/", "the page ran in Firefox");
        seen.GetProperty("foreign").EnumerateArray().Should().BeEmpty("every request goes to the server the page came from");
        seen.GetProperty("axe").EnumerateArray().Select(v => v.GetString()).Should().BeEmpty("axe-core finds no serious or critical violations in Firefox");
        seen.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).Should().BeEmpty($"the '{scenario}' scenario runs without script errors or CSP violations in Firefox");
        return seen;
    }
}
