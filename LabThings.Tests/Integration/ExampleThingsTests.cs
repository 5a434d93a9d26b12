using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Examples;
using LabThings.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Integration;

/// <summary>The example server's Things, as a client sees them.</summary>
public sealed class ExampleThingsTests
{
    [Fact]
    public async Task ThingDescriptions_OfAllExampleThings_AreValidW3cTds()
    {
        await using var server = await RunningServer.StartExampleAsync();

        var all = JsonNode.Parse(await server.Client.GetStringAsync("thing_descriptions/"))!.AsObject();

        all.Select(p => p.Key).Should().Equal("camera", "counter", "light", "stage", "autofocus");
        var results = await TdSchema.ValidateManyAsync(all.Select(p => p.Value!.ToJsonString()).ToList());
        results.Should().AllSatisfy(errors => errors.Should().BeEmpty());
    }

    [Fact]
    public async Task Logging_PerRequestLinesAreOffByDefault_AndConfigurationCanTurnThemOn()
    {
        await using var quiet = ExampleApp.CreateApp(["--urls", "http://127.0.0.1:0"]);
        await using var chatty = ExampleApp.CreateApp(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Microsoft.AspNetCore", "Information"]);

        static bool LogsRequests(WebApplication app) => app.Services.GetRequiredService<ILoggerFactory>()
            .CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information);

        LogsRequests(quiet).Should().BeFalse("a line per request filled 93 MB for 162k requests");
        LogsRequests(chatty).Should().BeTrue();
        quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LabThings.Things.camera").IsEnabled(LogLevel.Information).Should().BeTrue("the Things' own logs stay");
    }

    [Fact]
    public async Task Camera_FrameRateIsWritableAndFrameCountReadOnly()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var camera = server.Services.GetRequiredService<SyntheticCamera>();

        using var put = await PutAsync(server, "camera/frame_rate", "25");
        put.StatusCode.Should().Be(HttpStatusCode.Created);
        camera.FrameRate.Should().Be(25);
        (await PutAsync(server, "camera/frame_rate", "500")).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        camera.FrameRate.Should().Be(25);

        (await Eventually.TrueAsync(() => camera.Stream.LastFrameIndex >= 2)).Should().BeTrue();
        var count = long.Parse(await server.Client.GetStringAsync("camera/frame_count"), System.Globalization.CultureInfo.InvariantCulture);
        count.Should().BeGreaterThanOrEqualTo(3);
        (await PutAsync(server, "camera/frame_count", "0")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Light_BrightnessDrivesIsOnAndStatusAndIsRememberedAcrossRestarts()
    {
        var folder = RunningServer.NewTemporaryFolder();
        await using (var server = await RunningServer.StartExampleAsync(settingsFolder: folder))
        {
            (await server.Client.GetStringAsync("light/brightness")).Should().Be("50");
            (await PutAsync(server, "light/brightness", "0")).StatusCode.Should().Be(HttpStatusCode.Created);
            (await server.Client.GetStringAsync("light/is_on")).Should().Be("false");
            (await server.Client.GetStringAsync("light/status")).Should().Be("\"Off\"");
            (await PutAsync(server, "light/brightness", "101")).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            (await PutAsync(server, "light/is_on", "true")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
            (await PutAsync(server, "light/brightness", "80")).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        await using var restarted = await RunningServer.StartExampleAsync(settingsFolder: folder);
        (await restarted.Client.GetStringAsync("light/brightness")).Should().Be("80");
        (await restarted.Client.GetStringAsync("light/status")).Should().Be("\"On at 80%\"");
    }

    [Fact]
    public async Task Counter_IsReadOnlyForClientsButCountsInProcess()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var counter = server.Services.GetRequiredService<Counter>();

        (await server.Client.GetStringAsync("counter/counter")).Should().Be("0");
        counter.IncrementCounter();
        counter.IncrementCounter();
        (await server.Client.GetStringAsync("counter/counter")).Should().Be("2");
        (await PutAsync(server, "counter/counter", "7")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await server.Client.PostAsync("counter/counter/reset", null)).StatusCode.Should().Be(HttpStatusCode.NotFound, "clients cannot reset a read-only property");
        (await server.Client.GetStringAsync("counter/counter")).Should().Be("2");
    }

    private static Task<HttpResponseMessage> PutAsync(RunningServer server, string path, string json)
        => server.Client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
