using System.ComponentModel;
using Microsoft.Extensions.Logging;

namespace LabThings.Examples;

/// <summary>A stage position in motor steps.</summary>
/// <param name="X">Steps along x.</param>
/// <param name="Y">Steps along y.</param>
/// <param name="Z">Steps along z (focus).</param>
public sealed record StagePosition(int X, int Y, int Z);

/// <summary>
/// A simulated three-axis microscope stage. Moves take time in proportion to the distance, report the position as
/// it changes, and stop where they are when cancelled. The stage also knows where the simulated sample is in focus,
/// which the synthetic camera uses to blur its picture.
/// </summary>
[DisplayName("Stage")]
[Description("A simulated three-axis stage (positions in motor steps) carrying a sample that is sharp at one z")]
public sealed partial class Stage : Thing, IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private readonly SemaphoreSlim _moving = new(1, 1);
    private readonly TimeProvider _time;

    /// <summary>Creates a stage at the origin.</summary>
    /// <param name="timeProvider">The clock moves are timed by (the system's by default).</param>
    public Stage(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Where the stage is; observable while it moves.</summary>
    [ThingProperty(ReadOnly = true, Description = "The position in steps; changes as the stage moves")]
    public StagePosition Position { get; private set => SetProperty(ref field, value); } = new(0, 0, 0);

    /// <summary>The speed of every axis.</summary>
    [ThingSetting(Minimum = 1, Maximum = 1_000_000, Unit = "steps/s", Description = "How fast each axis moves")]
    public double StepsPerSecond { get; set => SetProperty(ref field, value); } = 5000;

    /// <summary>Where the simulated sample is in focus (what an autofocus has to find).</summary>
    [ThingProperty(Description = "Simulation: the z at which the sample is in focus")]
    public int SampleFocusZ { get; set => SetProperty(ref field, value); } = 250;

    /// <summary>The stage's part of every Thing's state (embedded in the camera's captures): its position.</summary>
    public override object? ThingState => Position;

    /// <summary>How far the current z is from focus, in steps.</summary>
    public int Defocus => Math.Abs(Position.Z - SampleFocusZ);

    /// <summary>Moves by the given number of steps on each axis.</summary>
    /// <returns>The position reached.</returns>
    [ThingAction(Description = "Move by a number of steps on each axis; takes time in proportion to the distance; cancellable")]
    public Task<StagePosition> MoveRelativeAsync(CancellationToken cancellationToken, int x = 0, int y = 0, int z = 0)
    {
        var from = Position;
        return MoveAbsoluteAsync(from.X + x, from.Y + y, from.Z + z, cancellationToken);
    }

    /// <summary>
    /// Moves to a position; one move at a time (a second waits for the first). It logs through the Thing's own
    /// <see cref="Thing.Logger"/>, so when another Thing's action calls it (the autofocus, through its slot), the
    /// lines also go into that invocation's log.
    /// </summary>
    /// <returns>The position reached.</returns>
    [ThingAction(Description = "Move to a position; takes time in proportion to the distance; cancellable (the stage stops where it is)")]
    public async Task<StagePosition> MoveAbsoluteAsync(int x, int y, int z, CancellationToken cancellationToken)
    {
        await _moving.WaitAsync(cancellationToken);
        try
        {
            var from = Position;
            var distance = Math.Max(Math.Abs(x - from.X), Math.Max(Math.Abs(y - from.Y), Math.Abs(z - from.Z)));
            var duration = TimeSpan.FromSeconds(distance / StepsPerSecond);
            Log.Moving(Logger, from.X, from.Y, from.Z, x, y, z);
            var started = _time.GetTimestamp();
            while (true)
            {
                var fraction = duration <= TimeSpan.Zero ? 1 : Math.Min(1, _time.GetElapsedTime(started) / duration);
                Position = new StagePosition(
                    from.X + (int)Math.Round((x - from.X) * fraction),
                    from.Y + (int)Math.Round((y - from.Y) * fraction),
                    from.Z + (int)Math.Round((z - from.Z) * fraction));
                if (fraction >= 1)
                {
                    return Position;
                }

                // Cancelling leaves the stage where it got to.
                await Task.Delay(Tick, _time, cancellationToken);
            }
        }
        finally
        {
            _moving.Release();
        }
    }

    /// <summary>Releases the lock that serialises moves.</summary>
    public void Dispose() => _moving.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Moving from ({FromX}, {FromY}, {FromZ}) to ({X}, {Y}, {Z})")]
        public static partial void Moving(ILogger logger, int fromX, int fromY, int fromZ, int x, int y, int z);
    }
}
