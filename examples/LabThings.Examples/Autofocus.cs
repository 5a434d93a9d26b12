using System.ComponentModel;
using LabThings.Outputs;
using Microsoft.Extensions.Logging;

namespace LabThings.Examples;

/// <summary>The focus an autofocus run chose, and what it saw on the way.</summary>
/// <param name="Z">The z it moved to.</param>
/// <param name="Sizes">The JPEG size (bytes) seen at each z, in sweep order.</param>
public sealed record AutofocusResult(int Z, IReadOnlyList<FocusSample> Sizes);

/// <summary>A frame's JPEG size at one z.</summary>
/// <param name="Z">The stage's z.</param>
/// <param name="Size">The frame's size in bytes: larger is sharper.</param>
public sealed record FocusSample(int Z, int Size);

/// <summary>
/// Finds focus the way the OpenFlexure microscope does: sweeps the stage's z and watches the camera's JPEG sizes,
/// since a sharp picture compresses worse than a blurred one. It uses the camera and the stage through slots.
/// </summary>
[DisplayName("Autofocus")]
[Description("Sweeps the stage's z through a range, measuring sharpness as the camera's JPEG size, and moves to the sharpest")]
public sealed partial class Autofocus : Thing
{
    /// <summary>The camera whose frames are measured: any <see cref="ICamera"/>, e.g. the synthetic camera or an FFmpeg webcam.</summary>
    [ThingSlot]
    public ICamera Camera { get; private set; } = null!;

    /// <summary>The stage that moves the sample.</summary>
    [ThingSlot]
    public Stage Stage { get; private set; } = null!;

    /// <summary>Sweeps z from <c>z - range</c> to <c>z + range</c> in steps of <paramref name="step"/>, then moves to the sharpest.</summary>
    /// <returns>The z chosen, and the size seen at each z.</returns>
    [ThingAction(Description = "Sweep z around the current position, measuring JPEG size, and move to the sharpest; reports progress; cancellable", Lock = ActionLocks.PerThing)]
    public async Task<AutofocusResult> RunAutofocusAsync(
        IProgress<double> progress,
        ILogger logger,
        CancellationToken cancellationToken,
        [Description("Steps either side of the current z")] int range = 500,
        [Description("Steps between measurements")] int step = 50)
    {
        if (range < 0 || step <= 0)
        {
            throw new ActionFailedException("range must be 0 or more and step more than 0.");
        }

        var start = Stage.Position;
        var samples = new List<FocusSample>();
        var count = (2 * range / step) + 1;
        for (var i = 0; i < count; i++)
        {
            var z = start.Z - range + (i * step);
            await Stage.MoveAbsoluteAsync(start.X, start.Y, z, cancellationToken);

            // The next frame may have been drawn while the stage was still moving: measure the one after.
            await Camera.Stream.NextFrameSizeAsync(cancellationToken);
            var size = await Camera.Stream.NextFrameSizeAsync(cancellationToken);
            samples.Add(new FocusSample(z, size));
            Log.Measured(logger, z, size);
            progress.Report((i + 1.0) / (count + 1));
        }

        var best = samples.MaxBy(s => s.Size)!;
        await Stage.MoveAbsoluteAsync(start.X, start.Y, best.Z, cancellationToken);
        Log.Chose(logger, best.Z, best.Size);
        progress.Report(1);
        return new AutofocusResult(best.Z, samples);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "z = {Z}: {Size} bytes")]
        public static partial void Measured(ILogger logger, int z, int size);

        [LoggerMessage(2, LogLevel.Information, "Sharpest at z = {Z} ({Size} bytes)")]
        public static partial void Chose(ILogger logger, int z, int size);
    }
}
