using System.Text;
using LabThings.Outputs;
using LabThings.Testing;

namespace LabThings.Examples.Tests;

/// <summary>The camera and the autofocus, with a stage put in their slots.</summary>
public sealed class MicroscopeTests
{
    [Fact]
    public async Task Autofocus_UsingTheStageAndCameraInItsSlots_FindsTheSampleFocus()
    {
        await using var stage = ThingTestHost.Create<Stage>(o => o.Settings["steps_per_second"] = 1_000_000);
        stage.Thing.SampleFocusZ = 100;
        await using var camera = ThingTestHost.Create<SyntheticCamera>(o => o.UseThing("stage", stage.Thing));
        camera.Thing.FrameRate = 60;
        await camera.StartAsync();
        await using var autofocus = ThingTestHost.Create<Autofocus>(o => o.UseThing("camera", camera.Thing).UseThing("stage", stage.Thing));

        var run = await autofocus.InvokeActionAsync(autofocus.Thing.RunAutofocusAsync, new { range = 300, step = 100 });

        run.Status.Should().Be(TestInvocationStatus.Completed, run.ToString());
        var result = (AutofocusResult)run.Output!;
        result.Sizes.Select(s => s.Z).Should().Equal(-300, -200, -100, 0, 100, 200, 300);
        result.Z.Should().Be(100, "the frame is sharpest, so largest, where the sample is in focus");
        stage.Thing.Position.Z.Should().Be(100);
        run.Progress.Should().BeInAscendingOrder().And.EndWith(1.0);
        run.Log.Select(r => r.Message).Should().Contain(m => m.StartsWith("Moving from", StringComparison.Ordinal), "the stage's own Logger writes into the autofocus invocation")
            .And.Contain("Sharpest at z = 100 (" + result.Sizes.Single(s => s.Z == 100).Size + " bytes)");
    }

    [Fact]
    public async Task Autofocus_BadStep_FailsWithAClearMessage()
    {
        await using var stage = ThingTestHost.Create<Stage>();
        await using var camera = ThingTestHost.Create<SyntheticCamera>();
        await using var autofocus = ThingTestHost.Create<Autofocus>(o => o.UseThing("camera", camera.Thing).UseThing("stage", stage.Thing));

        var run = await autofocus.InvokeActionAsync("run_autofocus", new { step = 0 });

        run.Status.Should().Be(TestInvocationStatus.Failed);
        run.Exception.Should().BeOfType<ActionFailedException>().Which.Message.Should().Contain("step");
    }

    [Fact]
    public async Task SimulateOverheat_RaisesTheEventWithItsPayload()
    {
        await using var camera = ThingTestHost.Create<SyntheticCamera>();

        await camera.InvokeActionAsync("simulate_overheat", new { temperature = 92.5 });

        var warning = await camera.WaitForNotificationAsync("overheated");
        warning.Kind.Should().Be(ThingNotificationKind.Event);
        ((OverheatWarning)warning.Value!).Temperature.Should().Be(92.5);
    }

    [Fact]
    public async Task CaptureJpeg_EmbedsTheStateOfTheThingsAround()
    {
        await using var stage = ThingTestHost.Create<Stage>();
        await using var camera = ThingTestHost.Create<SyntheticCamera>(o =>
        {
            o.Name = "camera";
            o.UseThing("stage", stage.Thing);
        });
        await camera.StartAsync();
        await camera.Thing.NextFrameSizeAsync(CancellationToken.None);

        var run = await camera.InvokeActionAsync(camera.Thing.CaptureJpeg);

        run.Status.Should().Be(TestInvocationStatus.Completed, run.ToString());
        var blob = (Blob)run.Output!;
        blob.MediaType.Should().Be("image/jpeg");
        var bytes = (await blob.ReadAllBytesAsync()).ToArray();
        bytes[0..2].Should().Equal(0xFF, 0xD8);
        var comment = Encoding.UTF8.GetString(bytes);
        comment.Should().Contain("\"stage\":{\"x\":0,\"y\":0,\"z\":0}").And.Contain("\"camera\":{\"frame_rate\":");
    }

    [Fact]
    public async Task CaptureJpeg_BeforeTheFirstFrame_Fails()
    {
        await using var camera = ThingTestHost.Create<SyntheticCamera>();

        var run = await camera.InvokeActionAsync("capture_jpeg");

        run.Status.Should().Be(TestInvocationStatus.Failed);
        run.Exception!.Message.Should().Contain("not produced a frame");
    }
}
