using System.ComponentModel;
using LabThings.Outputs;

namespace LabThings.Tests.Support;

/// <summary>A camera whose frames the test adds by hand.</summary>
[Description("A camera driven by the test")]
public sealed class ManualCamera : Thing
{
    [MjpegStream(RingbufferSize = 4, Description = "Frames added by the test")]
    public MjpegStream Stream => GetStream();

    public int Started { get; private set; }

    public int Stopped { get; private set; }

    /// <summary>A fake but well-framed JPEG (FF D8 … FF D9) carrying <paramref name="id"/> in bytes 2..9, padded to <paramref name="size"/>.</summary>
    public static byte[] FakeFrame(long id, int size = 1024)
    {
        var data = new byte[Math.Max(size, 12)];
        data[0] = 0xFF;
        data[1] = 0xD8;
        BitConverter.TryWriteBytes(data.AsSpan(2, 8), id);
        data[^2] = 0xFF;
        data[^1] = 0xD9;
        return data;
    }

    public static long IdOf(byte[] frame) => BitConverter.ToInt64(frame, 2);

    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        Started++;
        return Task.CompletedTask;
    }

    protected override Task StopAsync(CancellationToken cancellationToken)
    {
        Stopped++;
        return Task.CompletedTask;
    }
}
