// Compiled by the ClientGeneration tests together with the clients labthings-client generated for the example
// server (not part of LabThings.Tests itself). Every value is typed as the generated API gives it, so a change in
// the generated signatures breaks the compilation here.
using Lab.Clients;
using LabThings.Client;

namespace Drivers;

internal static class ExampleThings
{
    public static async Task<Dictionary<string, object?>> LightAsync(Uri server, HttpClient http)
    {
        using var light = await LightClient.ConnectAsync(new Uri(server, "light/"), http);
        await light.WriteBrightnessAsync(37);
        int brightness = await light.ReadBrightnessAsync();
        bool isOn = await light.ReadIsOnAsync();
        string status = await light.ReadStatusAsync();
        List<int> seen = await Observe.UntilAsync(
            light.ObserveBrightnessAsync,
            i => light.WriteBrightnessAsync(i % 10),
            () => light.WriteBrightnessAsync(88),
            value => value == 88);
        ThingProblemException? problem = null;
        try
        {
            await light.WriteBrightnessAsync(150);
        }
        catch (ThingProblemException e)
        {
            problem = e;
        }

        return new()
        {
            ["brightness"] = brightness,
            ["isOn"] = isOn,
            ["status"] = status,
            ["seen"] = seen,
            ["afterRefusal"] = await light.ReadBrightnessAsync(),
            ["problemStatus"] = (int?)problem?.Status,
            ["problemRule"] = problem?.Errors.FirstOrDefault()?.Rule,
        };
    }

    public static async Task<Dictionary<string, object?>> CounterAsync(Uri server, HttpClient http)
    {
        using var counter = await CounterClient.ConnectAsync(new Uri(server, "counter/"), http);
        long before = await counter.ReadCounterAsync();
        long incremented = await counter.IncrementCounterAsync();
        var progress = new Recorder();
        long slowly = await counter.SlowlyIncreaseCounterAsync(increments: 4, interval: 0.15, progress: progress);
        List<long> seen = await Observe.UntilAsync(
            counter.ObserveCounterAsync,
            _ => counter.IncrementCounterAsync(),
            () => counter.SlowlyIncreaseCounterAsync(2, 0.05),
            value => value >= slowly + 3);
        return new()
        {
            ["before"] = before,
            ["incremented"] = incremented,
            ["slowly"] = slowly,
            ["progress"] = progress.Values.ToList(),
            ["seen"] = seen,
        };
    }

    public static async Task<Dictionary<string, object?>> StageAsync(Uri server, HttpClient http)
    {
        using var stage = await StageClient.ConnectAsync(new Uri(server, "stage/"), http);
        await stage.WriteStepsPerSecondAsync(100_000);
        Position moved = await stage.MoveAbsoluteAsync(x: 10, y: -20, z: 30);
        Position relative = await stage.MoveRelativeAsync(z: 5);
        Position read = await stage.ReadPositionAsync();
        return new()
        {
            ["moved"] = moved,
            ["relative"] = relative,
            ["read"] = read,
            ["stepsPerSecond"] = await stage.ReadStepsPerSecondAsync(),
        };
    }

    public static async Task<Dictionary<string, object?>> CameraAsync(Uri server, HttpClient http)
    {
        using var camera = await SyntheticCameraClient.ConnectAsync(new Uri(server, "camera/"), http);
        ThingContent jpeg = await camera.CaptureJpegAsync();
        byte[] snapshot = await camera.ReadStreamAsync();
        ReadOnlyMemory<byte> frame = default;
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await foreach (var next in camera.ReadStreamFramesAsync(stop.Token))
            {
                frame = next;
                break;
            }
        }

        long frameSize = await camera.NextFrameSizeAsync();
        List<OverheatedEvent> events = await Observe.UntilAsync(
            camera.SubscribeOverheatedAsync,
            i => camera.SimulateOverheatAsync(50 + i),
            () => camera.SimulateOverheatAsync(temperature: 91.5),
            e => e.Temperature == 91.5);
        return new()
        {
            ["jpegType"] = jpeg.MediaType,
            ["jpeg"] = jpeg.Data.ToArray(),
            ["snapshot"] = snapshot,
            ["frame"] = frame.ToArray(),
            ["frameSize"] = frameSize,
            ["lastEvent"] = events[^1].Message,
            ["frameRate"] = await camera.ReadFrameRateAsync(),
        };
    }

    public static async Task<Dictionary<string, object?>> AutofocusAsync(Uri server, HttpClient http)
    {
        using var stage = await StageClient.ConnectAsync(new Uri(server, "stage/"), http);
        await stage.WriteStepsPerSecondAsync(1_000_000);
        using var autofocus = await AutofocusClient.ConnectAsync(new Uri(server, "autofocus/"), http);
        var progress = new Recorder();
        RunAutofocusOutput result = await autofocus.RunAutofocusAsync(range: 100, step: 50, progress: progress);
        return new()
        {
            ["z"] = result.Z,
            ["sizes"] = result.Sizes.Select(s => (s.Z, s.Size)).ToList(),
            ["progress"] = progress.Values.ToList(),
            ["position"] = await stage.ReadPositionAsync(),
        };
    }
}
