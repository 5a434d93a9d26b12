using System.Net;
using System.Text.Json;
using LabThings.Client;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static LabThings.Tests.Client.ClientTestHelpers;

namespace LabThings.Tests.Client;

/// <summary>Every operation of <see cref="ThingClient"/> against the example server over real Kestrel, from the TDs alone.</summary>
public sealed class ThingClientExampleServerTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartExampleAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FromUrlAsync_ExampleThing_ListsItsAffordances()
    {
        using var camera = await Connect("camera/");

        camera.Title.Should().Be("Synthetic camera");
        camera.Properties.Should().Equal("frame_rate", "frame_count", "stream");
        camera.Actions.Should().Contain(["capture_jpeg", "next_frame_size", "simulate_overheat"]);
        camera.Events.Should().Equal("overheated");
    }

    [Fact]
    public async Task FromUrlAsync_UnknownThing_ThrowsProblemWith404()
    {
        var act = () => ThingClient.FromUrlAsync(new Uri(_server.BaseAddress, "no_such_thing/"), _server.Client);

        var problem = (await act.Should().ThrowAsync<ThingProblemException>()).Which;
        problem.Status.Should().Be(HttpStatusCode.NotFound);
        problem.Title.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task WriteThenReadProperty_Light_ReadsBackTheValue()
    {
        using var light = await Connect("light/");

        await light.WritePropertyAsync("brightness", 37);

        (await light.ReadPropertyAsync<int>("brightness")).Should().Be(37);
        (await light.ReadPropertyAsync("is_on")).GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task WriteProperty_OutOfRange_ThrowsProblemNamingTheRuleAndChangesNothing()
    {
        using var light = await Connect("light/");
        var before = await light.ReadPropertyAsync<int>("brightness");

        var act = () => light.WritePropertyAsync("brightness", 150);

        var problem = (await act.Should().ThrowAsync<ThingProblemException>()).Which;
        problem.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        problem.Detail.Should().Contain("brightness");
        problem.Errors.Should().ContainSingle().Which.Rule.Should().Be("maximum");
        (await light.ReadPropertyAsync<int>("brightness")).Should().Be(before);
    }

    [Fact]
    public async Task WriteProperty_ReadOnly_ThrowsNotSupportedWithoutARequest()
    {
        using var counter = await Connect("counter/");

        var act = () => counter.WritePropertyAsync("counter", 5);

        (await act.Should().ThrowAsync<NotSupportedException>()).WithMessage("*counter*writeproperty*");
    }

    [Fact]
    public async Task ReadProperty_UnknownName_ThrowsArgumentNamingIt()
    {
        using var light = await Connect("light/");

        var act = () => light.ReadPropertyAsync("colour");

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*colour*");
    }

    [Fact]
    public async Task ObserveProperty_ServerSentEvents_SeesEachWriteInOrder()
    {
        using var light = await Connect("light/");
        var primer = 0;

        var seen = await CollectAsync(
            token => light.ObservePropertyAsync<int>("brightness", token),
            () => light.WritePropertyAsync("brightness", ++primer % 10),
            async () =>
            {
                foreach (var value in new[] { 11, 22, 33 })
                {
                    await light.WritePropertyAsync("brightness", value);
                }
            },
            values => values.Count >= 3 && values[^1] == 33);

        seen.TakeLast(3).Should().Equal(11, 22, 33);
    }

    [Fact]
    public async Task ObserveProperty_WebSocketFormOnly_SeesEachWriteInOrder()
    {
        using var discovered = await Connect("light/");
        using var light = ThingClient.FromDescription(Without(discovered, "sse"), new Uri(_server.BaseAddress, "light/"), _server.Client);
        var primer = 0;

        var seen = await CollectAsync(
            token => light.ObservePropertyAsync<int>("brightness", token),
            () => light.WritePropertyAsync("brightness", ++primer % 10),
            async () =>
            {
                foreach (var value in new[] { 44, 55, 66 })
                {
                    await light.WritePropertyAsync("brightness", value);
                }
            },
            values => values.Count >= 3 && values[^1] == 66);

        seen.TakeLast(3).Should().Equal(44, 55, 66);
    }

    [Fact]
    public async Task ObserveProperty_WebSocketRefusesTheName_ThrowsProblemWithItsStatus()
    {
        using var discovered = await Connect("light/");
        var td = System.Text.Json.Nodes.JsonNode.Parse(Without(discovered, "sse"))!;
        td["properties"]!["ghost"] = td["properties"]!["brightness"]!.DeepClone();
        using var light = ThingClient.FromDescription(td.ToJsonString(), new Uri(_server.BaseAddress, "light/"), _server.Client);
        using var cts = new CancellationTokenSource(ClientTimeout);

        var act = async () =>
        {
            await foreach (var _ in light.ObservePropertyAsync("ghost", cts.Token))
            {
            }
        };

        var problem = (await act.Should().ThrowAsync<ThingProblemException>()).Which;
        problem.Status.Should().Be(HttpStatusCode.NotFound);
        problem.Detail.Should().Contain("ghost");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sse")]
    public async Task SubscribeEvent_OverheatedOverEitherForm_DeliversTheTypedPayload(string? removed)
    {
        using var discovered = await Connect("camera/");
        using var camera = removed is null
            ? discovered
            : ThingClient.FromDescription(Without(discovered, removed), new Uri(_server.BaseAddress, "camera/"), _server.Client, new ThingClientOptions { SerializerOptions = SnakeCase });

        var seen = await CollectAsync(
            token => camera.SubscribeEventAsync<Overheat>("overheated", token),
            () => camera.InvokeActionAsync("simulate_overheat", new { temperature = 50.0 }),
            () => camera.InvokeActionAsync("simulate_overheat", new { temperature = 91.5 }),
            events => events.Any(e => e!.Temperature == 91.5));

        var hot = seen.Single(e => e!.Temperature == 91.5)!;
        hot.Message.Should().Contain("91.5");
    }

    [Fact]
    public async Task InvokeAction_Increment_ReturnsTheTypedOutput()
    {
        using var counter = await Connect("counter/");

        (await counter.InvokeActionAsync<int>("increment_counter")).Should().Be(1);
        (await counter.InvokeActionAsync<int>("increment_counter")).Should().Be(2);
        (await counter.ReadPropertyAsync<int>("counter")).Should().Be(2);
    }

    [Fact]
    public async Task InvokeAction_SlowAction_ReportsProgressUpToOneAndReturnsTheOutput()
    {
        using var counter = await Connect("counter/");
        var progress = new Recorder<double>();

        var output = await counter.InvokeActionAsync<int>("slowly_increase_counter", new { increments = 4, interval = 0.15 }, progress);

        output.Should().Be(4);
        progress.Values.Should().NotBeEmpty().And.BeInAscendingOrder();
        progress.Values.Should().OnlyContain(p => p > 0 && p <= 1);
    }

    [Fact]
    public async Task InvokeAction_CancelledWhileRunning_CancelsTheInvocationOnTheServer()
    {
        using var counter = await Connect("counter/");
        using var cts = new CancellationTokenSource(ClientTimeout);
        var progress = new CancelOnFirstReport(cts);

        var act = () => counter.InvokeActionAsync("slowly_increase_counter", new { increments = 400, interval = 0.05 }, progress, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await Eventually.TrueAsync(async () => (await LatestStatus("counter/slowly_increase_counter")) == "cancelled", TimeSpan.FromSeconds(10)))
            .Should().BeTrue("the client cancels the invocation through the cancelaction form");
        var stopped = await counter.ReadPropertyAsync<int>("counter");
        await Task.Delay(300);
        (await counter.ReadPropertyAsync<int>("counter")).Should().Be(stopped, "a cancelled invocation stops counting");
    }

    [Fact]
    public async Task InvokeAction_InvalidInput_ThrowsProblemNamingTheField()
    {
        using var counter = await Connect("counter/");

        var act = () => counter.InvokeActionAsync("slowly_increase_counter", new { increments = "many" });

        var problem = (await act.Should().ThrowAsync<ThingProblemException>()).Which;
        problem.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        problem.Errors.Should().Contain(e => e.Field.Contains("increments"));
    }

    [Fact]
    public async Task InvokeAction_BlobOutput_DownloadsTheJpeg()
    {
        using var camera = await Connect("camera/");
        await WaitForFirstFrame();

        var link = await camera.InvokeActionAsync("capture_jpeg");
        var blob = await camera.DownloadAsync(link);

        link.GetProperty("media_type").GetString().Should().Be("image/jpeg");
        blob.MediaType.Should().Be("image/jpeg");
        Jpeg.Decode(blob.Data.ToArray()).Width.Should().Be(640);
    }

    [Fact]
    public async Task DownloadAsync_ExpiredOrUnknownBlob_ThrowsProblemWith404()
    {
        using var camera = await Connect("camera/");
        using var link = JsonDocument.Parse("""{"href": "../blob/00000000000000000000000000000000", "media_type": "image/jpeg"}""");

        var act = () => camera.DownloadAsync(link.RootElement);

        (await act.Should().ThrowAsync<ThingProblemException>()).Which.Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ReadProperty_Stream_ReturnsTheSnapshotAsBase64()
    {
        using var camera = await Connect("camera/");
        await WaitForFirstFrame();

        var snapshot = await camera.ReadPropertyAsync("stream");

        Jpeg.Decode(Convert.FromBase64String(snapshot.GetString()!)).Width.Should().Be(640);
    }

    [Fact]
    public async Task ReadFrames_MjpegStream_YieldsWholeJpegs()
    {
        using var camera = await Connect("camera/");
        using var cts = new CancellationTokenSource(ClientTimeout);
        var frames = new List<ReadOnlyMemory<byte>>();

        await foreach (var frame in camera.ReadFramesAsync("stream", cts.Token))
        {
            frames.Add(frame);
            if (frames.Count == 3)
            {
                break;
            }
        }

        frames.Should().HaveCount(3);
        foreach (var frame in frames)
        {
            Jpeg.Decode(frame.ToArray()).Width.Should().Be(640);
        }
    }

    private Task<ThingClient> Connect(string thing) => ThingClient.FromUrlAsync(
        new Uri(_server.BaseAddress, thing), _server.Client, new ThingClientOptions { SerializerOptions = SnakeCase });

    private async Task WaitForFirstFrame()
    {
        var camera = _server.Services.GetRequiredService<LabThings.Examples.SyntheticCamera>();
        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 0, TimeSpan.FromSeconds(10))).Should().BeTrue();
    }

    private async Task<string?> LatestStatus(string actionPath)
    {
        using var list = JsonDocument.Parse(await _server.Client.GetStringAsync(actionPath));
        return list.RootElement.EnumerateArray().Last().GetProperty("status").GetString();
    }

    private sealed record Overheat(double Temperature, string Message);

    private sealed class CancelOnFirstReport(CancellationTokenSource cts) : IProgress<double>
    {
        public void Report(double value) => cts.Cancel();
    }
}
