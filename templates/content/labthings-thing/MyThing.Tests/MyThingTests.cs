using LabThings.Testing;

namespace MyThing.Tests;

public class MyThingTests
{
    [Fact]
    public async Task Expose_opens_and_closes_the_shutter()
    {
        var thing = new MyThing();

        var exposure = thing.ExposeAsync(0.2, CancellationToken.None);
        Assert.True(thing.IsOpen);

        var moves = await exposure;
        Assert.False(thing.IsOpen);
        Assert.Equal(2, moves);
    }

    [Fact]
    public void The_thing_describes_its_property_and_action()
    {
        var definition = new MyThing().Definition;

        Assert.Contains(definition.Properties, p => p.Name == "is_open");
        Assert.Contains(definition.Actions, a => a.Name == "expose");
    }

    [Fact]
    public async Task Expose_run_by_the_testing_host_reports_the_shutter_opening_and_closing()
    {
        // A fake host instead of a server: the action gets a real ActionContext, and property changes are recorded.
        await using var host = ThingTestHost.Create<MyThing>();

        var run = await host.InvokeActionAsync(host.Thing.ExposeAsync, new { seconds = 0.05 });

        Assert.Equal(TestInvocationStatus.Completed, run.Status);
        Assert.Equal(2, run.Output);
        Assert.Equal(new object?[] { true, false }, host.Notifications.Where(n => n.Name == "is_open").Select(n => n.Value));
    }
}
