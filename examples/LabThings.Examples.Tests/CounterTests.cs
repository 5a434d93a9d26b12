using LabThings.Testing;

namespace LabThings.Examples.Tests;

public sealed class CounterTests
{
    [Fact]
    public async Task IncrementCounter_ReturnsTheNewCountAndNotifiesObservers()
    {
        await using var host = ThingTestHost.Create<Counter>();

        var first = await host.InvokeActionAsync(host.Thing.IncrementCounter);
        var second = await host.InvokeActionAsync("increment_counter");

        first.Output.Should().Be(1);
        second.Output.Should().Be(2);
        host.Notifications.Select(n => n.Value).Should().Equal(1, 2);
    }

    [Fact]
    public async Task SlowlyIncreaseCounter_ReportsProgressAndLogsEachEnd()
    {
        await using var host = ThingTestHost.Create<Counter>();

        var run = await host.InvokeActionAsync(host.Thing.SlowlyIncreaseCounterAsync, new { increments = 4, interval = 0.01 });

        run.Status.Should().Be(TestInvocationStatus.Completed, run.ToString());
        run.Output.Should().Be(4);
        run.Progress.Should().Equal(0.25, 0.5, 0.75, 1.0);
        run.Log.Select(r => r.Message).Should().Equal("Counting up 4 times, 0.01 s apart", "Stopped counting at 4");
        host.Thing.Count.Should().Be(4);
    }

    [Fact]
    public async Task SlowlyIncreaseCounter_Cancelled_StopsCountingAndSaysWhere()
    {
        await using var host = ThingTestHost.Create<Counter>();

        var run = host.StartAction("slowly_increase_counter", new { increments = 1000, interval = 0.01 });
        await host.WaitForNotificationAsync("counter", n => (int)n.Value! >= 2);
        run.Cancel();
        await run.WaitAsync();
        var stoppedAt = host.Thing.Count;
        await Task.Delay(50);

        run.Status.Should().Be(TestInvocationStatus.Cancelled);
        host.Thing.Count.Should().Be(stoppedAt, "nothing counts after cancellation");
        run.Log.Select(r => r.Message).Should().Contain($"Stopped counting at {stoppedAt}").And.Contain("The invocation was cancelled.");
        run.Progress.Should().NotBeEmpty().And.OnlyContain(p => p < 1);
    }

    [Fact]
    public void SlowlyIncreaseCounter_InputOfTheWrongType_IsRefusedAsAServerWould()
    {
        var host = ThingTestHost.Create<Counter>();

        var act = () => host.StartAction("slowly_increase_counter", new { increments = "ten" });

        act.Should().Throw<LabThings.Model.PropertyValidationException>().Which.Problems.Should().ContainSingle(p => p.Field == "/increments");
    }
}
