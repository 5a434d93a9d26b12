using LabThings.Outputs;

namespace LabThings.Tests.Server.Startup;

// Things with the mistakes of issue 11, as an author without the analyzer would write them: the analyzer's
// diagnostics are turned off here so that the server's own start-up checks are what is tested.
#pragma warning disable LT0001, LT0002, LT0003, LT0004, LT0006, CA1822, CA1031

/// <summary>Setters that do not call SetProperty (LT0001), next to ones that are fine.</summary>
public sealed class SilentStage : Thing
{
    [ThingProperty] public double Position { get; set; }

    [ThingSetting] public string Label { get; set { field = value; } } = "";

    [ThingProperty] public double Speed { get; set => SetProperty(ref field, value); }

    [ThingProperty] public int Serial { get; init; }

    [ThingProperty] public int Steps => 3;
}

/// <summary>An affordance on a private member (LT0003).</summary>
public sealed class HiddenStage : Thing
{
    [ThingProperty] public double Position { get; set => SetProperty(ref field, value); }

    [ThingAction] private void Calibrate()
    {
    }
}

/// <summary>Streams where JSON values are sent (LT0004), and a stream attribute on the wrong type (LT0006).</summary>
public sealed class StreamingStage : Thing
{
    [ThingProperty] public Stream Raw => Stream.Null;

    [ThingAction] public Task<Stream> DownloadAsync() => Task.FromResult(Stream.Null);

    [ThingAction] public void Upload(Stream data) => data.Dispose();

    [MjpegStream] public byte[] Frames => [];
}

/// <summary>An async void action (LT0002).</summary>
public sealed class AsyncVoidStage : Thing
{
    [ThingAction] public async void Home()
    {
        await Task.Yield();
        throw new InvalidOperationException("the stage hit its end stop");
    }
}

/// <summary>A Thing that needs a plain value to be constructed.</summary>
public sealed class SerialStage(string serialPort) : Thing
{
    [ThingProperty] public string Port => serialPort;
}
