using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LabThings.Examples;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>
/// Things that use Things over real Kestrel (issue 9): the example's autofocus finds the focus the stage knows,
/// Things start after the Things they use and stop before them, and TDs link a Thing to the Things it uses.
/// </summary>
public sealed class InstrumentTests
{
    [Fact]
    public async Task Autofocus_FindsTheFocusTheStageKnows_WithinOneStep()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var stage = server.Services.GetRequiredService<Stage>();
        (await server.Client.PutAsJsonAsync("stage/sample_focus_z", 130)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await server.Client.PutAsJsonAsync("camera/frame_rate", 30)).StatusCode.Should().Be(HttpStatusCode.Created);

        using var response = await server.Client.PostAsJsonAsync("autofocus/run_autofocus", new { range = 300, step = 40 });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var href = response.Headers.Location!;
        JsonNode invocation;
        do
        {
            await Task.Delay(100);
            invocation = JsonNode.Parse(await server.Client.GetStringAsync(href))!;
        }
        while (invocation["status"]!.GetValue<string>() is "pending" or "running");

        invocation["status"]!.GetValue<string>().Should().Be("completed", invocation.ToJsonString());
        var chosen = invocation["output"]!["z"]!.GetValue<int>();
        Math.Abs(chosen - 130).Should().BeLessThanOrEqualTo(40, "the sweep is in steps of 40 and the sample is sharp at 130");
        stage.Position.Z.Should().Be(chosen, "the stage is left at the chosen focus");
        invocation["output"]!["sizes"]!.AsArray().Should().HaveCount(16, "z from -300 to 300 in steps of 40");
        invocation["progress"]!.GetValue<double>().Should().Be(1);
        invocation["log"]!.AsArray().Select(l => l!["message"]!.GetValue<string>())
            .Should().Contain(m => m.StartsWith("Moving from", StringComparison.Ordinal), "the stage logs through its own Logger, and what another Thing logs during an invocation goes into its log")
            .And.Contain(m => m.StartsWith("Sharpest at z = ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StageMove_TakesTime_IsObservable_AndCancellable()
    {
        await using var server = await RunningServer.StartExampleAsync();
        (await server.Client.PutAsJsonAsync("stage/steps_per_second", 1000)).StatusCode.Should().Be(HttpStatusCode.Created);
        using var observe = await server.Client.GetAsync("stage/position/sse", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await observe.Content.ReadAsStreamAsync());
        (await events.ReadLineAsync()).Should().StartWith(":");

        using var started = await server.Client.PostAsJsonAsync("stage/move_absolute", new { x = 0, y = 0, z = 5000 });
        started.StatusCode.Should().Be(HttpStatusCode.Created);
        var seen = new List<int>();
        while (seen.Count < 3)
        {
            var line = await events.ReadLineAsync();
            if (line is not null && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                seen.Add(JsonNode.Parse(line[6..])!["z"]!.GetValue<int>());
            }
        }

        seen.Should().BeInAscendingOrder().And.OnlyContain(z => z > 0 && z < 5000, "the position changes as the stage moves");
        (await server.Client.DeleteAsync(started.Headers.Location)).StatusCode.Should().Be(HttpStatusCode.OK);
        await Task.Delay(300);
        var stopped = server.Services.GetRequiredService<Stage>().Position.Z;
        stopped.Should().BeInRange(1, 4999, "cancelling stops the stage where it is");
        await Task.Delay(300);
        server.Services.GetRequiredService<Stage>().Position.Z.Should().Be(stopped);
    }

    [Fact]
    public async Task CaptureJpeg_EmbedsTheStateOfEveryThing_AndStillDecodes()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var camera = server.Services.GetRequiredService<SyntheticCamera>();
        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 0, TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await server.Client.PutAsJsonAsync("stage/steps_per_second", 100000)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await server.Client.PostAsJsonAsync("stage/move_absolute/sync", new { x = 1, y = 2, z = 77 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await server.Client.PutAsJsonAsync("light/brightness", 33)).StatusCode.Should().Be(HttpStatusCode.Created);

        using var capture = await server.Client.PostAsJsonAsync("camera/capture_jpeg/sync", new { });
        capture.StatusCode.Should().Be(HttpStatusCode.OK);
        var jpeg = await capture.Content.ReadAsByteArrayAsync();
        using (var image = SkiaSharp.SKBitmap.Decode(jpeg))
        {
            image.Width.Should().Be(640, "the comment leaves the image intact");
        }

        var states = JsonNode.Parse(JpegComment.Read(jpeg)!)!;
        states["stage"]!.ToJsonString().Should().Be("""{"x":1,"y":2,"z":77}""");
        states["light"]!["brightness"]!.GetValue<int>().Should().Be(33);
        states["camera"]!["frame_rate"]!.GetValue<double>().Should().Be(10);
        states["counter"].Should().BeNull("a Thing without a state is left out");
    }

    [Fact]
    public async Task ThingDescriptions_LinkAThingToTheThingsItUses()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var json = await server.Client.GetStringAsync("autofocus/");
        (await TdSchema.ValidateAsync(json)).Should().BeEmpty();
        JsonNode.Parse(json)!["links"]!.AsArray().Where(l => l!["rel"]!.GetValue<string>() == "uses").Select(l => l!["href"]!.GetValue<string>())
            .Should().BeEquivalentTo([new Uri(server.BaseAddress, "camera/").AbsoluteUri, new Uri(server.BaseAddress, "stage/").AbsoluteUri]);
    }

    public sealed class Recorder(ConcurrentQueue<string> log, string name) : Thing
    {
        protected override Task StartAsync(CancellationToken cancellationToken)
        {
            log.Enqueue("start " + name);
            return Task.CompletedTask;
        }

        protected override Task StopAsync(CancellationToken cancellationToken)
        {
            log.Enqueue("stop " + name);
            return Task.CompletedTask;
        }
    }

    public sealed class Top(ConcurrentQueue<string> log) : Thing
    {
        [ThingSlot("middle")] public Middle Middle { get; private set; } = null!;

        protected override Task StartAsync(CancellationToken cancellationToken)
        {
            log.Enqueue("start top");
            return Task.CompletedTask;
        }

        protected override Task StopAsync(CancellationToken cancellationToken)
        {
            log.Enqueue("stop top");
            return Task.CompletedTask;
        }
    }

    public sealed class Middle(ConcurrentQueue<string> log) : Thing
    {
        [ThingSlot] public Recorder Bottom { get; private set; } = null!;

        protected override Task StartAsync(CancellationToken cancellationToken)
        {
            log.Enqueue("start middle");
            return Task.CompletedTask;
        }

        protected override Task StopAsync(CancellationToken cancellationToken)
        {
            log.Enqueue("stop middle");
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Things_StartAfterTheThingsTheyUse_AndStopInReverse()
    {
        var log = new ConcurrentQueue<string>();
        var server = await RunningServer.StartAsync(b => b.Services.AddLabThings()
            .AddThing("top", _ => new Top(log))
            .AddThing("middle", _ => new Middle(log))
            .AddThing("bottom", _ => new Recorder(log, "bottom")));
        server.Services.GetRequiredService<Top>().Middle.Bottom.Should().BeSameAs(server.Services.GetRequiredService<Recorder>());
        await server.DisposeAsync();

        log.Should().Equal("start bottom", "start middle", "start top", "stop top", "stop middle", "stop bottom");
    }
}
