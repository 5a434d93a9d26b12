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
}
