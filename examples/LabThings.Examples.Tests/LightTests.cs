using System.Net;
using System.Text;
using LabThings.Model;
using LabThings.Testing;

namespace LabThings.Examples.Tests;

public sealed class LightTests
{
    [Fact]
    public async Task Brightness_ToZero_SwitchesTheLightOffAndIsSaved()
    {
        await using var host = ThingTestHost.Create<Light>();

        host.Thing.Brightness = 0;

        host.Notifications.Should().Equal(
            new ThingNotification(ThingNotificationKind.Property, "brightness", 0),
            new ThingNotification(ThingNotificationKind.Property, "is_on", false));
        host.Thing.Status.Should().Be("Off");
        host.SavedSettings["brightness"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task SavedBrightness_IsRestoredAtStart()
    {
        await using var host = ThingTestHost.Create<Light>(o => o.Settings["brightness"] = 20);

        host.Thing.Brightness.Should().Be(20);
        host.Thing.Status.Should().Be("On at 20%");
    }

    [Fact]
    public void SavedBrightness_OutOfRange_IsRefused()
    {
        var act = () => ThingTestHost.Create<Light>(o => o.Settings["brightness"] = 150);

        act.Should().Throw<PropertyValidationException>().Which.Problems.Should().ContainSingle(p => p.Rule == "maximum");
    }

    [Fact]
    public async Task Brightness_OverHttp_IsValidatedAndObservedThroughTheClient()
    {
        await using var server = await LabThingsTestServer.StartAsync(things => things.AddThing<Light>("light"));
        using var light = await server.CreateThingClientAsync("light");

        using var tooBright = await server.Client.PutAsync("light/brightness", new StringContent("150", Encoding.UTF8, "application/json"));
        await light.WritePropertyAsync("brightness", 0);

        tooBright.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await light.ReadPropertyAsync<bool>("is_on")).Should().BeFalse();
        (await light.ReadPropertyAsync<string>("status")).Should().Be("Off");
    }

    [Fact]
    public void Light_IsDescribedAsASarefLightSwitch()
    {
        var definition = ThingTestHost.Create<Light>().Thing.Definition;

        definition.SemanticTypes.Should().Equal("saref:LightSwitch");
        definition.SemanticContext["saref"].Should().Be("https://w3id.org/saref#");
    }
}
