using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LabThings.Cli;
using LabThings.Tests.Support;
using static LabThings.Tests.Cli.CliRunner;

namespace LabThings.Tests.Cli;

/// <summary>The example server on real Kestrel, shared by the command tests of one class (each reads what it changes back).</summary>
public sealed class ExampleServerFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public Uri Thing(string name) => new(Server.BaseAddress, name + "/");

    public async Task InitializeAsync() => Server = await RunningServer.StartExampleAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Every <c>labthings</c> command against the example server: its output, readable and with --json, and its exit code.</summary>
public sealed partial class CliCommandTests(ExampleServerFixture fixture) : IClassFixture<ExampleServerFixture>
{
    private RunningServer Server => fixture.Server;

    private string Thing(string name) => fixture.Thing(name).AbsoluteUri;

    [Fact]
    public async Task List_ExampleServer_PrintsATableOfNamesTitlesAndUrls()
    {
        var result = await RunAsync("list", Server.BaseAddress.AbsoluteUri);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().MatchRegex(@"^NAME\s+TITLE\s+URL$");
        lines.Should().Contain(l => Regex.IsMatch(l, $@"^camera\s+Synthetic camera\s+{Regex.Escape(Thing("camera"))}$"));
        lines.Should().Contain(l => Regex.IsMatch(l, $@"^light\s+Light\s+{Regex.Escape(Thing("light"))}$"));
        lines.Should().HaveCount(6, "a header and the five example Things");
        result.Error.Should().BeEmpty();
    }

    [Fact]
    public async Task List_Json_IsAnArrayOfNameTitleAndUrl()
    {
        var result = await RunAsync("list", Server.BaseAddress.AbsoluteUri.TrimEnd('/'), "--json");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var things = JsonNode.Parse(result.Output)!.AsArray();
        things.Select(t => (string)t!["name"]!).Should().Equal("camera", "counter", "light", "stage", "autofocus");
        things.Single(t => (string)t!["name"]! == "counter")!["title"]!.GetValue<string>().Should().Be("Counter");
        things.Single(t => (string)t!["name"]! == "counter")!["url"]!.GetValue<string>().Should().Be(Thing("counter"));
    }

    [Fact]
    public async Task List_OfAThingUrlInsteadOfTheServer_Is404WithAHint()
    {
        var result = await RunAsync("list", Thing("light"));

        result.ExitCode.Should().Be(ExitCodes.Refused);
        result.Error.Should().Contain("404").And.Contain("SERVER_URL is the root of a LabThings server");
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
    }

    [Fact]
    public async Task Td_PrintsTheThingDescriptionIndented_AndOnOneLineWithJson()
    {
        var served = JsonNode.Parse(await Server.Client.GetStringAsync("light/"));

        var pretty = await RunAsync("td", Thing("light"));
        var compact = await RunAsync("td", Thing("light"), "--json");

        pretty.ExitCode.Should().Be(ExitCodes.Success, pretty.ToString());
        JsonNode.DeepEquals(JsonNode.Parse(pretty.Output), served).Should().BeTrue();
        pretty.Output.Should().Contain("\n  \"title\": \"Light\"", "the TD is indented for people");
        compact.ExitCode.Should().Be(ExitCodes.Success);
        JsonNode.DeepEquals(JsonNode.Parse(compact.Output), served).Should().BeTrue();
        compact.Output.TrimEnd().Should().NotContain("\n");
    }

    [Fact]
    public async Task WriteThenRead_Brightness_PrintsTheValueWithItsUnit_AndTheBareValueWithJson()
    {
        var write = await RunAsync("write", Thing("light"), "brightness", "42");
        var read = await RunAsync("read", Thing("light"), "brightness");
        var json = await RunAsync("read", Thing("light"), "brightness", "--json");
        var status = await RunAsync("read", Thing("light"), "status");
        var statusJson = await RunAsync("read", Thing("light"), "status", "--json");

        write.ExitCode.Should().Be(ExitCodes.Success, write.ToString());
        write.Output.Should().Be("brightness = 42 %" + Environment.NewLine);
        (await Server.Client.GetStringAsync("light/brightness")).Should().Be("42");
        read.Output.Should().Be("42 %" + Environment.NewLine);
        json.Output.Should().Be("42" + Environment.NewLine);
        JsonSerializer.Deserialize<int>(json.Output).Should().Be(42);
        status.Output.Should().Be("On at 42%" + Environment.NewLine);
        JsonSerializer.Deserialize<string>(statusJson.Output).Should().Be("On at 42%");
        new[] { write, read, json, status, statusJson }.Should().OnlyContain(r => r.ExitCode == 0 && r.Error.Length == 0);
    }

    [Fact]
    public async Task Write_WithJson_PrintsNothing()
    {
        var result = await RunAsync("write", Thing("light"), "brightness", "7", "--json");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().BeEmpty();
        (await Server.Client.GetStringAsync("light/brightness")).Should().Be("7");
    }

    [Fact]
    public async Task Write_OutOfRange_PrintsTheServersProblemAndExits3_AndChangesNothing()
    {
        await RunAsync("write", Thing("light"), "brightness", "30");

        var result = await RunAsync("write", Thing("light"), "brightness", "150");

        result.ExitCode.Should().Be(ExitCodes.Refused);
        result.Output.Should().BeEmpty();
        result.Error.Should().Contain("422 Invalid value")
            .And.Contain("Invalid value for 'brightness': the value must be at most 100")
            .And.Contain("- value: the value must be at most 100 (maximum)");
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
        (await Server.Client.GetStringAsync("light/brightness")).Should().Be("30");
    }

    [Fact]
    public async Task Write_TextThatIsNotJson_IsAUsageErrorSuggestingQuotes_AndSendsNothing()
    {
        await RunAsync("write", Thing("light"), "brightness", "31");

        var result = await RunAsync("write", Thing("light"), "brightness", "bright");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("JSON is not JSON: bright").And.Contain("'\"bright\"'");
        (await Server.Client.GetStringAsync("light/brightness")).Should().Be("31");
    }

    [Fact]
    public async Task Write_ReadOnlyProperty_IsAUsageErrorNamingIt()
    {
        var result = await RunAsync("write", Thing("counter"), "counter", "5");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("'counter'").And.Contain("writeproperty");
    }

    [Fact]
    public async Task Read_UnknownProperty_NamesItAndListsTheThingsProperties()
    {
        var result = await RunAsync("read", Thing("light"), "brightnes");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Be("labthings: 'Light' has no property named 'brightnes'. Its properties: brightness, is_on, status." + Environment.NewLine);
    }

    [Fact]
    public async Task Invoke_UnknownAction_NamesItAndListsTheThingsActions()
    {
        var result = await RunAsync("invoke", Thing("light"), "switch_off");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("'Light' has no action named 'switch_off'. It has no actions.");
    }

    [Fact]
    public async Task Events_UnknownEvent_ListsTheThingsEvents()
    {
        var result = await RunAsync("events", Thing("camera"), "exploded");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("'Synthetic camera' has no event named 'exploded'. Its events: overheated.");
    }

    [Fact]
    public async Task Td_OfAnUnknownThing_Is404WithAHint()
    {
        var result = await RunAsync("td", new Uri(Server.BaseAddress, "lamp/").AbsoluteUri);

        result.ExitCode.Should().Be(ExitCodes.Refused);
        result.Error.Should().Contain("404").And.Contain("No Thing Description at").And.Contain("labthings list SERVER_URL");
    }

    [Fact]
    public async Task Read_OfAUrlThatIsNoThingDescription_SaysSo()
    {
        var result = await RunAsync("read", new Uri(Server.BaseAddress, "light/brightness").AbsoluteUri, "brightness");

        result.ExitCode.Should().Be(ExitCodes.BadAnswer);
        result.Error.Should().Contain("did not answer with a Thing Description");
    }

    [Fact]
    public async Task Invoke_PrintsTheOutput_AndTheBareOutputWithJson()
    {
        var readable = await RunAsync("invoke", Thing("counter"), "slowly_increase_counter", """{"increments": 2, "interval": 0.05}""");
        var json = await RunAsync("invoke", Thing("counter"), "increment_counter", "--json");

        readable.ExitCode.Should().Be(ExitCodes.Success, readable.ToString());
        json.ExitCode.Should().Be(ExitCodes.Success, json.ToString());
        var afterSlow = int.Parse(readable.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        JsonSerializer.Deserialize<int>(json.Output).Should().Be(afterSlow + 1);
        (await Server.Client.GetStringAsync("counter/counter")).Should().Be((afterSlow + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        readable.Error.Should().BeEmpty("standard error is not a terminal: no progress bar");
    }

    [Fact]
    public async Task Invoke_ActionWithoutOutput_SaysDone_AndNullWithJson()
    {
        var readable = await RunAsync("invoke", Thing("camera"), "simulate_overheat");
        var json = await RunAsync("invoke", Thing("camera"), "simulate_overheat", """{"temperature": 75}""", "--json");

        readable.Output.Should().Be("Done (no output)." + Environment.NewLine);
        json.Output.Trim().Should().Be("null");
    }

    [Fact]
    public async Task Invoke_InATerminal_DrawsAProgressBarOnStandardError_AndClearsIt()
    {
        var result = await RunAsync(["invoke", Thing("counter"), "slowly_increase_counter", """{"increments": 4, "interval": 0.4}"""], null, terminal: true);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Error.Should().MatchRegex(@"\rslowly_increase_counter \[#+-*\]\s+\d+%  \d+\.\d s", "the bar shows the progress the Thing reported");
        result.Error.Should().EndWith("\r", "the bar's line is cleared when the action ends");
        result.Output.Should().NotContain("\r").And.MatchRegex(@"^\d+\s*$");
    }

    [Fact]
    public void ProgressBar_Line_ShowsBarPercentageAndTime()
    {
        ProgressBar.Line("move", 0.5, TimeSpan.FromSeconds(1.54)).Should().Be("move [###############---------------]  50%  1.5 s");
        ProgressBar.Line("move", 1, TimeSpan.FromSeconds(3)).Should().Be("move [##############################] 100%  3.0 s");
        ProgressBar.Line("move", double.NaN, TimeSpan.FromSeconds(0.2)).Should().Be("move [running]  0.2 s");
    }

    [Fact]
    public async Task Invoke_BadInput_PrintsTheOffendingFieldAndExits3()
    {
        var result = await RunAsync("invoke", Thing("counter"), "slowly_increase_counter", """{"increments": "many"}""");

        result.ExitCode.Should().Be(ExitCodes.Refused);
        result.Error.Should().Contain("422").And.Contain("- /increments: '/increments' must be an integer (type)");
    }

    [Fact]
    public async Task Invoke_ActionThatFails_PrintsItsErrorAndExits1()
    {
        var result = await RunAsync("invoke", Thing("autofocus"), "run_autofocus", """{"range": -1}""");

        result.ExitCode.Should().Be(ExitCodes.Failed);
        result.Error.Should().Contain("the action 'run_autofocus' ended with status 'error'")
            .And.Contain("range must be 0 or more and step more than 0.")
            .And.Contain(new Uri(Server.BaseAddress, "action_invocations/").AbsoluteUri);
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
    }

    [Fact]
    public async Task Invoke_BlobOutput_WithOutputOption_SavesTheJpeg()
    {
        var folder = RunningServer.NewTemporaryFolder();
        var file = Path.Combine(folder, "capture.jpg");
        await WaitForFirstFrameAsync();

        var result = await RunAsync("invoke", Thing("camera"), "capture_jpeg", "-o", file);
        var json = await RunAsync("invoke", Thing("camera"), "capture_jpeg", "--output", Path.Combine(folder, "second.jpg"), "--json");
        var link = await RunAsync("invoke", Thing("camera"), "capture_jpeg");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().MatchRegex(@"^Saved \d+ bytes \(image/jpeg\) to .*capture\.jpg\.\s*$");
        Jpeg.Decode(await File.ReadAllBytesAsync(file)).Should().Be((640, 480));
        var saved = JsonNode.Parse(json.Output)!;
        saved["media_type"]!.GetValue<string>().Should().Be("image/jpeg");
        saved["bytes"]!.GetValue<int>().Should().Be((int)new FileInfo(Path.Combine(folder, "second.jpg")).Length);
        JsonNode.Parse(link.Output)!["href"]!.GetValue<string>().Should().StartWith(new Uri(Server.BaseAddress, "blob/").AbsoluteUri);
        link.Error.Should().Contain("--output FILE");
    }

    [Fact]
    public async Task Snapshot_WritesTheNewestFrameAsAJpeg()
    {
        var file = Path.Combine(RunningServer.NewTemporaryFolder(), "frame.jpg");
        await WaitForFirstFrameAsync();

        var result = await RunAsync("snapshot", Thing("camera"), "stream", file);
        var json = await RunAsync("snapshot", Thing("camera"), "stream", file, "--json");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().MatchRegex(@"^Saved \d+ bytes to .*frame\.jpg\.\s*$");
        Jpeg.Decode(await File.ReadAllBytesAsync(file)).Should().Be((640, 480));
        JsonNode.Parse(json.Output)!["file"]!.GetValue<string>().Should().Be(file);
    }

    [Fact]
    public async Task Snapshot_OfAPropertyThatIsNoStream_IsAUsageError()
    {
        var file = Path.Combine(RunningServer.NewTemporaryFolder(), "frame.jpg");

        var result = await RunAsync("snapshot", Thing("light"), "brightness", file);

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("'brightness' is not a stream");
        File.Exists(file).Should().BeFalse();
    }

    [Fact]
    public async Task Read_StreamProperty_DescribesTheImageInsteadOfPrintingIt()
    {
        await WaitForFirstFrameAsync();

        var result = await RunAsync("read", Thing("camera"), "stream");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().MatchRegex(@"^\(image/jpeg, \d+ bytes; --json prints them as base64\)\s*$");
    }

    [Fact]
    public async Task Observe_PrintsEachChangeWithTheTime_UntilInterrupted()
    {
        using var interrupt = new CancellationTokenSource();
        var run = Start(["observe", Thing("light"), "brightness"], cancellationToken: interrupt.Token);
        var value = 10;

        await PokeUntilAsync(run, () => Put("light/brightness", (++value % 2 == 0 ? 10 : 11).ToString(System.Globalization.CultureInfo.InvariantCulture)), () => run.OutputLines.Length > 0);
        await Put("light/brightness", "77");
        (await Eventually.TrueAsync(() => run.Output().Contains("77 %"), TimeSpan.FromSeconds(10))).Should().BeTrue(run.Output());
        await interrupt.CancelAsync();
        var result = await run.Completion;

        result.ExitCode.Should().Be(ExitCodes.Cancelled);
        run.OutputLines.Should().AllSatisfy(l => l.Should().MatchRegex(@"^\d\d:\d\d:\d\d\.\d{3}  \d+ %$"));
        run.OutputLines.Should().Contain(l => l.EndsWith("  77 %", StringComparison.Ordinal));
        result.Error.Should().Be("labthings: interrupted." + Environment.NewLine);
    }

    [Fact]
    public async Task Observe_JsonWithCount_PrintsJsonLinesAndStops()
    {
        var run = Start(["observe", Thing("light"), "brightness", "--json", "--count", "3"]);
        var value = 0;

        await PokeUntilAsync(run, () => Put("light/brightness", (++value % 50).ToString(System.Globalization.CultureInfo.InvariantCulture)), () => run.Completion.IsCompleted);
        var result = await run.Completion;

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var lines = run.OutputLines;
        lines.Should().HaveCount(3);
        lines.Select(l => JsonSerializer.Deserialize<int>(l)).Should().OnlyContain(v => v >= 1 && v <= value);
    }

    [Fact]
    public async Task Events_JsonLines_CarryEachOccurrencesData()
    {
        var run = Start(["events", Thing("camera"), "overheated", "--json", "-n", "2"]);

        await PokeUntilAsync(run, () => Post("camera/simulate_overheat", """{"temperature": 91.5}"""), () => run.Completion.IsCompleted);
        var result = await run.Completion;

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        run.OutputLines.Should().HaveCount(2);
        run.OutputLines.Select(l => JsonNode.Parse(l)!).Should().AllSatisfy(e =>
        {
            e["temperature"]!.GetValue<double>().Should().Be(91.5);
            e["message"]!.GetValue<string>().Should().Contain("91.5 °C");
        });
    }

    [Fact]
    public async Task Events_Readable_PrintsTheTimeAndTheData()
    {
        var run = Start(["events", Thing("camera"), "overheated", "--count", "1"]);

        await PokeUntilAsync(run, () => Post("camera/simulate_overheat", """{"temperature": 80}"""), () => run.Completion.IsCompleted);
        var result = await run.Completion;

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().MatchRegex("""^\d\d:\d\d:\d\d\.\d{3}  \{"temperature":80,"message":"Sensor at 80 °C, above its 70 °C limit"\}\s*$""");
    }

    /// <summary>Cancelling the token (what Ctrl+C does in the process) cancels the invocation on the Thing and exits 130.</summary>
    [Fact]
    public async Task Invoke_Interrupted_CancelsTheInvocationOnTheThing()
    {
        using var interrupt = new CancellationTokenSource();
        var run = Start(["invoke", Thing("counter"), "slowly_increase_counter", """{"increments": 100, "interval": 0.2}"""], cancellationToken: interrupt.Token);
        var invocation = await RunningInvocationAsync(Server, "slowly_increase_counter");

        await interrupt.CancelAsync();
        var result = await run.Completion;

        result.ExitCode.Should().Be(ExitCodes.Cancelled);
        result.Error.Should().Contain("interrupted: the invocation of 'slowly_increase_counter' was cancelled on the Thing.");
        (await StatusAsync(Server, invocation)).Should().Be("cancelled");
    }

    /// <summary>Waits for an invocation of the action to be running on the server; returns its id.</summary>
    internal static async Task<string> RunningInvocationAsync(RunningServer server, string action)
    {
        string? id = null;
        (await Eventually.TrueAsync(
            async () =>
            {
                var all = JsonNode.Parse(await server.Client.GetStringAsync("action_invocations"))!.AsArray();
                id = all.LastOrDefault(i => ((string)i!["action"]!).EndsWith("/" + action, StringComparison.Ordinal) && (string)i!["status"]! == "running")?["id"]?.GetValue<string>();
                return id is not null;
            },
            TimeSpan.FromSeconds(30))).Should().BeTrue($"an invocation of {action} should be running");
        return id!;
    }

    /// <summary>The invocation's status once it has ended (polled: cancelling takes a moment on the server).</summary>
    internal static async Task<string> StatusAsync(RunningServer server, string id)
    {
        string status = "";
        await Eventually.TrueAsync(
            async () =>
            {
                status = (string)JsonNode.Parse(await server.Client.GetStringAsync($"action_invocations/{id}"))!["status"]!;
                return status is not ("pending" or "running");
            },
            TimeSpan.FromSeconds(10));
        return status;
    }

    private async Task WaitForFirstFrameAsync()
        => (await Eventually.TrueAsync(async () => (await Server.Client.GetAsync("camera/stream/snapshot")).IsSuccessStatusCode, TimeSpan.FromSeconds(10)))
            .Should().BeTrue("the camera streams once started");

    /// <summary>Calls <paramref name="poke"/> until <paramref name="done"/> (a subscription takes a moment to open, so a single change could be missed).</summary>
    private static async Task PokeUntilAsync(Running run, Func<Task> poke, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            if (run.Completion.IsCompleted && !done())
            {
                throw new InvalidOperationException("The command ended early: " + await run.Completion);
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the command should see a change: " + run.Output() + run.Error());
            await poke();
            await Task.Delay(100);
        }
    }

    private async Task Put(string path, string json)
    {
        using var response = await Server.Client.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    private async Task Post(string path, string json)
    {
        using var response = await Server.Client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }
}
