using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LabThings.ServerTool;
using LabThings.Tests.Support;

namespace LabThings.Tests.Cameras;

/// <summary>
/// The FFmpeg camera hosted by the configuration-driven server (<c>labthings-server</c>'s host, in this process) from
/// <c>examples/ffmpeg-testsrc.json</c>, over real Kestrel on 127.0.0.1 (needs Debian's <c>ffmpeg</c>).
/// </summary>
public sealed partial class FfmpegServerToolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string Example(string name) => Path.Combine(RepositoryPaths.Root, "examples", name);

    [Fact]
    public async Task The_test_source_config_serves_jpeg_frames_and_captures_a_still()
    {
        var settings = RunningServer.NewTemporaryFolder();
        await using var tool = await ToolHost.StartAsync(
            "--config", Example("ffmpeg-testsrc.json"), "--urls", "http://127.0.0.1:0", $"--LabThings:SettingsFolder={settings}", "--LabThings:Things:camera:Arguments:options:Resolution=320x240");
        using var client = new HttpClient { BaseAddress = new Uri(tool.Address) };

        var td = JsonNode.Parse(await client.GetStringAsync("/camera/"))!;
        td["title"]!.GetValue<string>().Should().Be("FFmpeg camera");
        (await TdSchema.ValidateManyAsync([td.ToJsonString()])).SelectMany(e => e).Should().BeEmpty();

        using var response = await client.GetAsync("/camera/stream", HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);
        var parts = new List<MjpegPart>();
        while (parts.Count < 10)
        {
            parts.Add((await reader.ReadPartAsync(timeout.Token))!);
        }

        parts.Select(p => Jpeg.Decode(p.Body)).Should().AllBeEquivalentTo((320, 240), "the command line sets the size over the file's 640x480");
        parts.Select(p => Convert.ToBase64String(p.Body)).Distinct().Should().HaveCountGreaterThan(5, "the test source moves");
        JsonNode.Parse(await client.GetStringAsync("/camera/input"))!.GetValue<string>().Should().Be("testsrc2");
        JsonNode.Parse(await client.GetStringAsync("/camera/status"))!.GetValue<string>().Should().Be("Streaming");

        using var capture = await client.PostAsync("/camera/capture_jpeg", new StringContent("{}", Encoding.UTF8, "application/json"));
        capture.StatusCode.Should().Be(HttpStatusCode.Created);
        var invocation = JsonNode.Parse(await capture.Content.ReadAsStringAsync())!;
        JsonNode done;
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            done = JsonNode.Parse(await client.GetStringAsync(invocation["href"]!.GetValue<string>()))!;
            if (done["status"]!.GetValue<string>() is "completed" or "error" or "cancelled")
            {
                break;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the capture should finish");
            await Task.Delay(20);
        }

        done["status"]!.GetValue<string>().Should().Be("completed", done.ToJsonString());
        using var still = await client.GetAsync(done["output"]!["href"]!.GetValue<string>());
        still.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        Jpeg.Decode(await still.Content.ReadAsByteArrayAsync()).Should().Be((320, 240));
    }

    [Fact]
    public async Task The_example_autofocus_runs_on_the_ffmpeg_camera_through_its_ICamera_slot()
    {
        // The test-source config plus the example stage and autofocus: the autofocus's Camera slot is an ICamera, so
        // the server fills it with the only camera there is, here FFmpeg's.
        await using var tool = await ToolHost.StartAsync(
            "--config", Example("ffmpeg-testsrc.json"), "--urls", "http://127.0.0.1:0", $"--LabThings:SettingsFolder={RunningServer.NewTemporaryFolder()}",
            "--LabThings:Things:camera:Arguments:options:Resolution=320x240",
            "--LabThings:Things:stage:Type=LabThings.Examples.Stage",
            "--LabThings:Things:autofocus:Type=LabThings.Examples.Autofocus");
        using var client = new HttpClient { BaseAddress = new Uri(tool.Address) };

        using var response = await client.PostAsync("/autofocus/run_autofocus", new StringContent("""{"range": 100, "step": 50}""", Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var href = response.Headers.Location!;
        JsonNode invocation;
        var deadline = DateTime.UtcNow + Patience;
        do
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the autofocus should finish");
            await Task.Delay(50);
            invocation = JsonNode.Parse(await client.GetStringAsync(href))!;
        }
        while (invocation["status"]!.GetValue<string>() is "pending" or "running");

        invocation["status"]!.GetValue<string>().Should().Be("completed", invocation.ToJsonString());
        var sizes = invocation["output"]!["sizes"]!.AsArray();
        sizes.Select(s => s!["z"]!.GetValue<int>()).Should().Equal([-100, -50, 0, 50, 100]);
        sizes.Select(s => s!["size"]!.GetValue<int>()).Should().OnlyContain(size => size > 1000, "each is the size of one of FFmpeg's 320x240 JPEGs");
        var chosen = invocation["output"]!["z"]!.GetValue<int>();
        JsonNode.Parse(await client.GetStringAsync("/stage/position"))!["z"]!.GetValue<int>().Should().Be(chosen, "the stage is left where the largest frame was seen");
    }

    [Theory]
    [InlineData("ffmpeg-testsrc.json")]
    [InlineData("ffmpeg-webcam.json")]
    public void The_example_configs_pass_the_tools_schema(string name)
    {
        ConfigurationSchema.Validate(File.ReadAllText(Example(name)), name).Should().BeEmpty();
    }

    [Fact]
    public async Task A_thing_whose_start_fails_is_named_with_its_type_in_the_report()
    {
        var json = new JsonObject
        {
            ["LabThings"] = new JsonObject
            {
                ["Things"] = new JsonObject
                {
                    ["counter"] = new JsonObject { ["Type"] = "LabThings.Examples.Counter" },
                    ["stage"] = new JsonObject { ["Type"] = typeof(Packaging.UnpluggedThing).FullName },
                },
            },
        }.ToJsonString();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await ServerRunner.RunAsync(
            new ServerArguments(null, json, "http://127.0.0.1:0", false, [$"--LabThings:SettingsFolder={RunningServer.NewTemporaryFolder()}"]), output, error, CancellationToken.None);

        exitCode.Should().Be(1);
        error.ToString().Should().Contain($"Thing 'stage' ({typeof(Packaging.UnpluggedThing).FullName}) failed to start: {Packaging.UnpluggedThing.Problem}");
    }

    /// <summary>The tool's host (<see cref="ServerRunner.RunAsync"/>) run in this process until disposed.</summary>
    private sealed class ToolHost : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly LineWriter _output = new();
        private readonly StringWriter _error = new();
        private Task<int>? _run;

        public string Address { get; private set; } = "";

        public static async Task<ToolHost> StartAsync(params string[] arguments)
        {
            var host = new ToolHost();
            var config = new FileInfo(arguments[Array.IndexOf(arguments, "--config") + 1]);
            var urls = arguments[Array.IndexOf(arguments, "--urls") + 1];
            var rest = arguments.Where(a => a.StartsWith("--LabThings:", StringComparison.Ordinal)).ToList();
            host._run = Task.Run(() => ServerRunner.RunAsync(new ServerArguments(config, null, urls, false, rest), host._output, host._error, host._stop.Token));
            var listening = await Task.WhenAny(host._output.Listening.Task, host._run, Task.Delay(TimeSpan.FromMinutes(1)));
            if (listening != host._output.Listening.Task)
            {
                await host.DisposeAsync();
                throw new InvalidOperationException($"The tool did not start: {host._error}");
            }

            host.Address = host._output.Listening.Task.Result;
            return host;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null)
            {
                (await _run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, _error.ToString());
            }

            _stop.Dispose();
            _output.Dispose();
            _error.Dispose();
        }
    }

    /// <summary>Standard output of the tool: completes <see cref="Listening"/> with the first address it prints.</summary>
    private sealed partial class LineWriter : TextWriter
    {
        private readonly StringBuilder _line = new();

        public TaskCompletionSource<string> Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value != '\n')
                {
                    _line.Append(value);
                    return;
                }

                if (ListeningLine().Match(_line.ToString()) is { Success: true } match)
                {
                    Listening.TrySetResult(match.Groups[1].Value);
                }

                _line.Clear();
            }
        }

        [GeneratedRegex(@"labthings-server: listening on (http://[^/\s]+)")]
        private static partial Regex ListeningLine();
    }
}
