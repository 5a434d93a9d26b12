using LabThings.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Examples.Tests;

public sealed class StageTests
{
    [Fact]
    public async Task MoveAbsolute_ReachesThePositionPassingThroughIntermediateOnes()
    {
        // A clock that moves 20 ms each time the stage reads it, so the move takes five readings however busy the machine.
        await using var host = ThingTestHost.Create<Stage>(o =>
        {
            o.Services.AddSingleton<TimeProvider>(new SteppingClock(TimeSpan.FromMilliseconds(20)));
            o.Settings["steps_per_second"] = 20_000;
        });

        var run = await host.InvokeActionAsync(host.Thing.MoveAbsoluteAsync, new { x = 0, y = 0, z = 2000 });

        run.Status.Should().Be(TestInvocationStatus.Completed, run.ToString());
        run.Output.Should().Be(new StagePosition(0, 0, 2000));
        var zs = host.Notifications.Where(n => n.Name == "position").Select(n => ((StagePosition)n.Value!).Z).ToList();
        zs.Should().Equal([400, 800, 1200, 1600, 2000], "a move of 0.1 s is observed as it goes, every 20 ms");
        run.Log.Select(r => r.Message).Should().ContainSingle(m => m.StartsWith("Moving from", StringComparison.Ordinal), "the stage logs through its own Logger");
    }

    [Fact]
    public async Task MoveAbsolute_Cancelled_LeavesTheStageWhereItGotTo()
    {
        await using var host = ThingTestHost.Create<Stage>(o => o.Settings["steps_per_second"] = 100);

        var run = host.StartAction("move_absolute", new { x = 0, y = 0, z = 10_000 });
        await host.WaitForNotificationAsync("position", n => ((StagePosition)n.Value!).Z > 0);
        run.Cancel();
        await run.WaitAsync();

        run.Status.Should().Be(TestInvocationStatus.Cancelled);
        host.Thing.Position.Z.Should().BeInRange(1, 9_999);
    }

    [Fact]
    public async Task MoveRelative_AddsToThePosition()
    {
        await using var host = ThingTestHost.Create<Stage>(o => o.Settings["steps_per_second"] = 1_000_000);

        await host.InvokeActionAsync("move_relative", new { x = 10, z = -5 });
        var run = await host.InvokeActionAsync("move_relative", new { x = 10 });

        run.Output.Should().Be(new StagePosition(20, 0, -5));
    }

    /// <summary>A clock that advances by <paramref name="step"/> each time it is read.</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
    }
}
