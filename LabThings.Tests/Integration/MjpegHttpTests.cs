using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using LabThings.Examples;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>The MJPEG stream over real Kestrel on 127.0.0.1.</summary>
public sealed class MjpegHttpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GetStream_ExampleCamera_DeliversCompleteValidJpegParts()
    {
        await using var server = await RunningServer.StartExampleAsync();
        server.Services.GetRequiredService<SyntheticCamera>().FrameRate = 30;

        using var response = await server.Client.GetAsync("camera/stream", HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be("multipart/x-mixed-replace; boundary=frame");
        response.Content.Headers.ContentEncoding.Should().BeEmpty("MJPEG is never compressed");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);
        var sizes = new List<(int, int)>();
        for (var i = 0; i < 3; i++)
        {
            var part = await reader.ReadPartAsync(timeout.Token);
            part.Should().NotBeNull();
            sizes.Add(Jpeg.Decode(part!.Body));
        }

        sizes.Should().AllBeEquivalentTo((640, 480));
    }

    [Fact]
    public async Task GetStream_TwoClientsAtOnce_BothReceiveFrames()
    {
        await using var server = await RunningServer.StartExampleAsync();
        server.Services.GetRequiredService<SyntheticCamera>().FrameRate = 30;
        var camera = server.Services.GetRequiredService<SyntheticCamera>();

        var readers = Enumerable.Range(0, 2).Select(async _ =>
        {
            using var response = await server.Client.GetAsync("camera/stream", HttpCompletionOption.ResponseHeadersRead);
            var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
            using var timeout = new CancellationTokenSource(Patience);
            var frames = new List<byte[]>();
            for (var i = 0; i < 5; i++)
            {
                frames.Add((await reader.ReadPartAsync(timeout.Token))!.Body);
            }

            return frames;
        }).ToArray();

        (await Eventually.TrueAsync(() => camera.Stream.ClientsConnected == 2)).Should().BeTrue("both clients are connected at once");
        var results = await Task.WhenAll(readers);
        foreach (var frames in results)
        {
            frames.Should().HaveCount(5);
            frames.ForEach(f => Jpeg.Decode(f));
            frames.Select(Convert.ToBase64String).Should().OnlyHaveUniqueItems("each part is a new frame");
        }

        (await Eventually.TrueAsync(() => camera.Stream.ClientsConnected == 0)).Should().BeTrue("closed clients are released");
    }

    [Fact]
    public async Task GetStream_NewClient_GetsNewestFrameAtOnceFollowedByBoundary()
    {
        await using var server = await StartManualAsync();
        var camera = server.Services.GetRequiredService<ManualCamera>();
        camera.Stream.AddFrame(ManualCamera.FakeFrame(1));
        camera.Stream.AddFrame(ManualCamera.FakeFrame(2));

        using var response = await server.Client.GetAsync("manual/stream", HttpCompletionOption.ResponseHeadersRead);
        var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);

        // No frame is added after connecting: the part (and the boundary after it) must come anyway.
        var part = await reader.ReadPartAsync(timeout.Token);
        ManualCamera.IdOf(part!.Body).Should().Be(2, "a new client gets the newest frame");

        camera.Stream.AddFrame(ManualCamera.FakeFrame(3, size: 5000));
        var next = await reader.ReadPartAsync(timeout.Token);
        ManualCamera.IdOf(next!.Body).Should().Be(3);
        next.Body.Should().HaveCount(5000);
        next.Headers["Content-Length"].Should().Be("5000");
    }

    [Fact]
    public async Task GetStream_ClientDisconnectsMidFrame_OthersUnaffectedAndNothingLeaks()
    {
        await using var server = await StartManualAsync();
        var stream = server.Services.GetRequiredService<ManualCamera>().Stream;
        stream.AddFrame(ManualCamera.FakeFrame(0, size: 2_000_000));

        // A raw client that reads the headers and part of a 2 MB frame, then drops the connection.
        using (var rude = new TcpClient())
        {
            await rude.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
            var network = rude.GetStream();
            await network.WriteAsync(Encoding.ASCII.GetBytes("GET /manual/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            var buffer = new byte[16 * 1024];
            var total = 0;
            while (total < 100_000)
            {
                var read = await network.ReadAsync(buffer).AsTask().WaitAsync(Patience);
                read.Should().BePositive();
                total += read;
            }

            (await Eventually.TrueAsync(() => stream.ClientsConnected == 1)).Should().BeTrue();
            using var polite = await server.Client.GetAsync("manual/stream", HttpCompletionOption.ResponseHeadersRead);
            var reader = new MultipartReader(await polite.Content.ReadAsStreamAsync());
            using var timeout = new CancellationTokenSource(Patience);
            ManualCamera.IdOf((await reader.ReadPartAsync(timeout.Token))!.Body).Should().Be(0);
            (await Eventually.TrueAsync(() => stream.ClientsConnected == 2)).Should().BeTrue();

            rude.Client.LingerState = new LingerOption(true, 0);
            rude.Close();

            (await Eventually.TrueAsync(() => stream.ClientsConnected == 1)).Should().BeTrue("the dropped client is released");
            for (var id = 1; id <= 3; id++)
            {
                stream.AddFrame(ManualCamera.FakeFrame(id, size: 10_000));
                var part = await reader.ReadPartAsync(timeout.Token);
                ManualCamera.IdOf(part!.Body).Should().Be(id, "the remaining client still gets every frame");
            }
        }

        var snapshot = await server.Client.GetAsync("manual/stream/snapshot");
        snapshot.StatusCode.Should().Be(HttpStatusCode.OK, "the server keeps serving");
        await Task.Delay(1); // keep analyzers quiet about the using scope
        (await Eventually.TrueAsync(() => stream.ClientsConnected <= 1)).Should().BeTrue();
    }

    [Fact]
    public async Task Stop_WithOpenResponses_EndsEveryResponsePromptly()
    {
        await using var server = await StartManualAsync();
        var stream = server.Services.GetRequiredService<ManualCamera>().Stream;
        stream.AddFrame(ManualCamera.FakeFrame(7));
        var responses = new List<HttpResponseMessage>();
        var readers = new List<MultipartReader>();
        for (var i = 0; i < 3; i++)
        {
            var response = await server.Client.GetAsync("manual/stream", HttpCompletionOption.ResponseHeadersRead);
            responses.Add(response);
            var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
            using var first = new CancellationTokenSource(Patience);
            (await reader.ReadPartAsync(first.Token)).Should().NotBeNull();
            readers.Add(reader);
        }

        stream.Stop();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        foreach (var reader in readers)
        {
            (await reader.ReadPartAsync(timeout.Token)).Should().BeNull("the body ends cleanly after a boundary");
        }

        stream.ClientsConnected.Should().Be(0);
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task ServerShutdown_WithOpenStreams_EndsResponsesAndStopsThingsPromptly()
    {
        var server = await RunningServer.StartExampleAsync();
        var camera = server.Services.GetRequiredService<SyntheticCamera>();
        var response = await server.Client.GetAsync("camera/stream", HttpCompletionOption.ResponseHeadersRead);
        var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
        using (var first = new CancellationTokenSource(Patience))
        {
            (await reader.ReadPartAsync(first.Token)).Should().NotBeNull();
        }

        var stopping = server.App.StopAsync();
        (await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(5)))).Should().Be(stopping, "shutdown must not wait for stream clients");
        await stopping;

        var framesAtStop = camera.Stream.FramesAdded;
        await Task.Delay(300);
        camera.Stream.FramesAdded.Should().Be(framesAtStop, "the camera's StopAsync ended its capture loop");
        camera.Stream.IsStopped.Should().BeTrue();
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var ended = false;
        try
        {
            while (await reader.ReadPartAsync(drain.Token) is not null)
            {
            }

            ended = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            ended = true; // the connection was closed under us: also an end
        }

        ended.Should().BeTrue();
        response.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task GetStream_SlowClient_SkipsToRecentFramesInsteadOfQueueing()
    {
        await using var server = await StartManualAsync();
        var stream = server.Services.GetRequiredService<ManualCamera>().Stream;
        stream.AddFrame(ManualCamera.FakeFrame(0, size: 100_000));
        using var response = await server.Client.GetAsync("manual/stream", HttpCompletionOption.ResponseHeadersRead);
        var reader = new MultipartReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);
        (await reader.ReadPartAsync(timeout.Token)).Should().NotBeNull();

        // The client stops reading while 300 frames of 100 kB (30 MB) are produced.
        for (var id = 1; id <= 300; id++)
        {
            stream.AddFrame(ManualCamera.FakeFrame(id, size: 100_000));
            await Task.Delay(1);
        }

        var received = new List<long>();
        while (received.Count == 0 || received[^1] != 300)
        {
            received.Add(ManualCamera.IdOf((await reader.ReadPartAsync(timeout.Token))!.Body));
        }

        received.Should().BeInAscendingOrder();
        received.Count.Should().BeLessThan(40, "only what fits in the bounded buffers is stale; the rest is skipped");
    }

    [Fact]
    public async Task GetSnapshot_BeforeFirstFrame_Is503ProblemThenNewestJpeg()
    {
        await using var server = await StartManualAsync();
        var stream = server.Services.GetRequiredService<ManualCamera>().Stream;

        using var early = await server.Client.GetAsync("manual/stream/snapshot");
        early.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        early.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        early.Headers.RetryAfter.Should().NotBeNull();
        var problem = await early.Content.ReadAsStringAsync();
        problem.Should().Contain("\"status\":503").And.Contain("not received a frame yet");

        var jpeg = Jpeg.Make(32, 24);
        stream.AddFrame(jpeg);
        stream.AddFrame(Jpeg.Make(40, 30));
        using var later = await server.Client.GetAsync("manual/stream/snapshot");
        later.StatusCode.Should().Be(HttpStatusCode.OK);
        later.Content.Headers.ContentType.Should().Be(new MediaTypeHeaderValue("image/jpeg"));
        Jpeg.Decode(await later.Content.ReadAsByteArrayAsync()).Should().Be((40, 30), "the snapshot is the newest frame");
        later.Headers.GetValues("X-Frame-Index").Should().Equal("1");
    }

    [Fact]
    public async Task GetViewer_ReturnsHtmlWithTheStreamInAnImgTag()
    {
        await using var server = await RunningServer.StartExampleAsync();

        using var response = await server.Client.GetAsync("camera/stream/viewer");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<img id=\"stream\" src=\"/camera/stream\"");
        html.Should().Contain("href=\"/camera/stream/snapshot\"");
    }

    private static Task<RunningServer> StartManualAsync()
        => RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<ManualCamera>("manual"));
}
