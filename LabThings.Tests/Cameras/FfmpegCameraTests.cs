using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Cameras.Ffmpeg;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Cameras;

/// <summary>
/// The FFmpeg camera over real Kestrel, reading FFmpeg's <c>testsrc2</c> test source (Debian's <c>ffmpeg</c> must be
/// installed: scripts/test.sh installs it).
/// </summary>
public sealed class FfmpegCameraTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Stream_TestSource_GivesDecodableFramesAtTheConfiguredSizeAndRate()
    {
        await using var server = await StartAsync(TestSource("320x240", 10));

        using var response = await server.Client.GetAsync("camera/stream", HttpCompletionOption.ResponseHeadersRead);
        var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);
        var parts = new List<MjpegPart>();
        while (parts.Count < 25)
        {
            parts.Add((await reader.ReadPartAsync(timeout.Token))!);
        }

        parts.Select(p => Jpeg.Decode(p.Body)).Should().AllBeEquivalentTo((320, 240));
        parts.Select(p => Convert.ToBase64String(p.Body)).Distinct().Should().HaveCountGreaterThan(20, "the test source moves");

        // The first frames may come in a burst while FFmpeg starts; 10 fps over the last 20 frames is ~1.9 s.
        var seconds = (parts[^1].ReceivedAt - parts[4].ReceivedAt).TotalSeconds;
        (20 / seconds).Should().BeInRange(5, 15, "FFmpeg paces the test source at the configured 10 frames per second");
        (await GetJsonAsync(server, "camera/status")).GetValue<string>().Should().Be("Streaming");
    }

    [Fact]
    public async Task CaptureJpeg_ReturnsTheNewestFrameAsAJpegBlob()
    {
        await using var server = await StartAsync(TestSource("160x120", 10));

        using var response = await server.Client.PostAsync("camera/capture_jpeg", new StringContent("{}", Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var done = await PollAsync(server, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);

        done["status"]!.GetValue<string>().Should().Be("completed", done.ToJsonString());
        done["output"]!["media_type"]!.GetValue<string>().Should().Be("image/jpeg");
        using var download = await server.Client.GetAsync(done["output"]!["href"]!.GetValue<string>());
        download.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        Jpeg.Decode(await download.Content.ReadAsByteArrayAsync()).Should().Be((160, 120));
    }

    [Fact]
    public async Task KilledFfmpeg_IsReportedAndRestarted()
    {
        await using var server = await StartAsync(TestSource("160x120", 10, restartDelay: TimeSpan.FromMilliseconds(200)));
        var camera = server.Services.GetRequiredService<FfmpegCamera>();
        var problems = new List<CameraProblem>();
        camera.Problem += (_, p) =>
        {
            lock (problems)
            {
                problems.Add(p);
            }
        };
        (await Eventually.TrueAsync(() => camera.Status == CameraState.Streaming, Patience)).Should().BeTrue(camera.StatusMessage);
        var first = (await GetJsonAsync(server, "camera/process_id")).GetValue<int>();

        using (var ffmpeg = Process.GetProcessById(first))
        {
            ffmpeg.Kill();
        }

        (await Eventually.TrueAsync(() => camera.ProcessId is { } pid && pid != first && camera.Status == CameraState.Streaming, Patience))
            .Should().BeTrue($"a new FFmpeg should be streaming ({camera.Status}: {camera.StatusMessage})");
        var framesAfterRestart = camera.Stream.FramesAdded;
        (await Eventually.TrueAsync(() => camera.Stream.FramesAdded > framesAfterRestart + 3, Patience)).Should().BeTrue("frames flow again");
        lock (problems)
        {
            problems.Should().ContainSingle().Which.Message.Should().Contain("FFmpeg exited");
        }

        (await GetJsonAsync(server, "camera/process_id")).GetValue<int>().Should().Be(camera.ProcessId!.Value);
    }

    [Fact]
    public async Task Shutdown_LeavesNoFfmpegProcess()
    {
        int pid;
        await using (var server = await StartAsync(TestSource("160x120", 10)))
        {
            var camera = server.Services.GetRequiredService<FfmpegCamera>();
            (await Eventually.TrueAsync(() => camera.Status == CameraState.Streaming, Patience)).Should().BeTrue(camera.StatusMessage);
            pid = camera.ProcessId!.Value;
            IsRunningFfmpeg(pid).Should().BeTrue();
        }

        IsRunningFfmpeg(pid).Should().BeFalse("FFmpeg is stopped and reaped when the server stops");
    }

    [Fact]
    public async Task MissingInputFile_StatusSaysWhyAndTheServerKeepsServing()
    {
        var options = new FfmpegCameraOptions { Input = "/nonexistent/labthings-test.mp4", RestartDelay = TimeSpan.FromMilliseconds(100) };
        await using var server = await StartAsync(options);
        var camera = server.Services.GetRequiredService<FfmpegCamera>();

        (await Eventually.TrueAsync(() => camera.Status == CameraState.Failed, Patience)).Should().BeTrue(camera.StatusMessage);

        var message = (await GetJsonAsync(server, "camera/status_message")).GetValue<string>();
        message.Should().Contain("before sending a frame").And.Contain("No such file or directory").And.Contain("trying again in");
        (await GetJsonAsync(server, "camera/status")).GetValue<string>().Should().Be("Failed");
        using var snapshot = await server.Client.GetAsync("camera/stream/snapshot");
        ((int)snapshot.StatusCode).Should().BeInRange(400, 599).And.NotBe(500);
        (await server.Client.GetAsync("camera/")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MissingInputFile_EachFailedStartIsAProblemEventForSubscribers()
    {
        var options = new FfmpegCameraOptions { Input = "/nonexistent/labthings-test.mp4", RestartDelay = TimeSpan.FromMilliseconds(100) };
        await using var server = await StartAsync(options);

        using var response = await server.Client.GetAsync("camera/problem", HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);
        string? data = null;
        while (data is null)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
            data = line.StartsWith("data: ", StringComparison.Ordinal) ? line["data: ".Length..] : null;
        }

        var problem = JsonNode.Parse(data)!;
        problem["message"]!.GetValue<string>().Should().Contain("No such file or directory");
        problem["exit_code"]!.GetValue<int>().Should().NotBe(0);
        problem["retry_in_seconds"]!.GetValue<double>().Should().BeGreaterThan(0);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task SilentFfmpeg_IsStoppedWithItsChildrenAndReported()
    {
        // A stand-in for an FFmpeg that hangs: it starts a child, then sleeps without writing a byte or reading 'q'.
        var marker = Random.Shared.Next(100_000, 999_999);
        var script = Path.Combine(RunningServer.NewTemporaryFolder(), "hanging-ffmpeg");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\nsleep {marker}1 &\nexec sleep {marker}2\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = TestSource("160x120", 10, restartDelay: TimeSpan.FromSeconds(30));
        options.FfmpegPath = script;
        options.StallTimeout = TimeSpan.FromSeconds(1);
        options.StopTimeout = TimeSpan.FromMilliseconds(300);
        try
        {
            await using var server = await StartAsync(options);
            var camera = server.Services.GetRequiredService<FfmpegCamera>();
            (await Eventually.TrueAsync(() => ProcessesRunning($"sleep\0{marker}1").Count == 1, Patience)).Should().BeTrue("the stand-in starts its child");

            (await Eventually.TrueAsync(() => camera.Status == CameraState.Failed, Patience)).Should().BeTrue(camera.StatusMessage);

            camera.StatusMessage.Should().Contain("FFmpeg sent nothing for 1 s and was stopped");
            ProcessesRunning($"sleep\0{marker}2").Should().BeEmpty("the silent process was killed");
            ProcessesRunning($"sleep\0{marker}1").Should().BeEmpty("and so was its child: the whole tree");
        }
        finally
        {
            foreach (var pid in ProcessesRunning($"sleep\0{marker}"))
            {
                using var leftover = Process.GetProcessById(pid);
                leftover.Kill();
            }
        }
    }

    [Fact]
    public async Task MissingFfmpeg_StatusSaysItCouldNotBeStarted()
    {
        var options = TestSource("160x120", 10, restartDelay: TimeSpan.FromMilliseconds(100));
        options.FfmpegPath = "/nonexistent/ffmpeg";
        await using var server = await StartAsync(options);
        var camera = server.Services.GetRequiredService<FfmpegCamera>();

        (await Eventually.TrueAsync(() => camera.Status == CameraState.Failed, Patience)).Should().BeTrue(camera.StatusMessage);

        camera.StatusMessage.Should().Contain("could not be started from '/nonexistent/ffmpeg'").And.Contain("apt-get install ffmpeg");
    }

    [Fact]
    public async Task Resolution_WrittenOverHttp_RestartsFfmpegWithItAndSurvivesAServerRestart()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await using (var server = await StartAsync(TestSource("160x120", 10), folder))
        {
            using var put = await server.Client.PutAsync("camera/resolution", new StringContent("\"200x150\"", Encoding.UTF8, "application/json"));
            put.IsSuccessStatusCode.Should().BeTrue();
            var camera = server.Services.GetRequiredService<FfmpegCamera>();
            (await Eventually.TrueAsync(() => camera.Stream.NewestFrame is { } f && Jpeg.Decode(f.Frame.ToArray()) == (200, 150), Patience))
                .Should().BeTrue("FFmpeg restarts with the new size");
        }

        await using var again = await StartAsync(TestSource("160x120", 10), folder);
        (await GetJsonAsync(again, "camera/resolution")).GetValue<string>().Should().Be("200x150", "settings are saved");
    }

    [Theory]
    [InlineData("resolution", "\"640 by 480\"")]
    [InlineData("jpeg_quality", "0")]
    [InlineData("frame_rate", "-1")]
    [InlineData("input", "\"\"")]
    public async Task BadSetting_IsRefusedWithAProblemAndChangesNothing(string property, string body)
    {
        await using var server = await StartAsync(TestSource("160x120", 10));
        var before = await server.Client.GetStringAsync($"camera/{property}");

        using var put = await server.Client.PutAsync($"camera/{property}", new StringContent(body, Encoding.UTF8, "application/json"));

        ((int)put.StatusCode).Should().BeInRange(400, 499);
        put.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await server.Client.GetStringAsync($"camera/{property}")).Should().Be(before);
    }

    [Fact]
    public async Task ExampleServer_WithCameraFfmpegInputConfigured_ServesTheFfmpegCamera()
    {
        await using var server = await RunningServer.StartExampleAsync(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Camera:Ffmpeg:Input"] = "testsrc2",
            ["Camera:Ffmpeg:InputFormat"] = "lavfi",
            ["Camera:Ffmpeg:Resolution"] = "160x120",
            ["Camera:Ffmpeg:FrameRate"] = "5",
        }));

        byte[]? snapshot = null;
        (await Eventually.TrueAsync(
            async () =>
            {
                using var response = await server.Client.GetAsync("ffmpeg_camera/stream/snapshot");
                snapshot = response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null;
                return snapshot is not null;
            },
            Patience)).Should().BeTrue();
        Jpeg.Decode(snapshot!).Should().Be((160, 120));
        (await server.Client.GetAsync("camera/")).StatusCode.Should().Be(HttpStatusCode.OK, "the synthetic camera is still there");
    }

    [Fact]
    public async Task ExampleServer_ByDefault_HasNoFfmpegCamera()
    {
        await using var server = await RunningServer.StartExampleAsync();

        (await server.Client.GetAsync("ffmpeg_camera/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    internal static FfmpegCameraOptions TestSource(string resolution, double frameRate, TimeSpan? restartDelay = null) => new()
    {
        Input = "testsrc2",
        InputFormat = "lavfi",
        Resolution = resolution,
        FrameRate = frameRate,
        RestartDelay = restartDelay ?? TimeSpan.FromMilliseconds(500),
    };

    private static Task<RunningServer> StartAsync(FfmpegCameraOptions options, string? folder = null)
        => RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing("camera", _ => new FfmpegCamera(options)), folder);

    private static async Task<JsonNode> GetJsonAsync(RunningServer server, string path) => JsonNode.Parse(await server.Client.GetStringAsync(path))!;

    private static async Task<JsonNode> PollAsync(RunningServer server, JsonNode invocation)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var current = await GetJsonAsync(server, invocation["href"]!.GetValue<string>());
            if (current["status"]!.GetValue<string>() is "completed" or "error" or "cancelled")
            {
                return current;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the invocation should finish in time");
            await Task.Delay(20);
        }
    }

    /// <summary>Live processes whose command line (arguments separated by NUL) contains <paramref name="commandLine"/>.</summary>
    private static List<int> ProcessesRunning(string commandLine)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (cmdline.Contains(commandLine, StringComparison.Ordinal) && stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z')
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return found;
    }

    /// <summary>Whether <paramref name="pid"/> is a live (not zombie) FFmpeg process.</summary>
    private static bool IsRunningFfmpeg(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..][0];
            return text.Contains("(ffmpeg)", StringComparison.Ordinal) && state != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
