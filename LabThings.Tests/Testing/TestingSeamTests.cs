using LabThings.Testing;
using LabThings.Tests.Support;
using Xunit.Abstractions;

namespace LabThings.Tests.Testing;

/// <summary>
/// What LabThings.Testing may use of Core's internals (through InternalsVisibleTo): the Thing–host seam, as the server
/// uses it, and nothing of the server's internals. Changing these lists is a design decision (docs/testing.md).
/// </summary>
public sealed class TestingSeamTests(ITestOutputHelper output)
{
    [Fact]
    public void Testing_UsesOnlyTheListedInternalsOfCore()
    {
        var used = AssemblySeams.InternalsUsed(typeof(ThingTestHost).Assembly, typeof(Thing).Assembly);
        output.WriteLine(string.Join(Environment.NewLine, used));

        used.Should().BeEquivalentTo(
        [
            "ActionContext.ctor",
            "ActionInvoker",
            "ActionInvoker.BindInput",
            "ActionInvoker.InvokeAsync",
            "IInvocationLog",
            "IThingConnection",
            "SlotDefinition.Assign",
            "SlotDefinition.ValueFor",
            "Thing.Attach",
            "Thing.StartThingAsync",
            "Thing.StopThingAsync",
            "ThingDefinitions",
            "ThingDefinitions.Get",
            "ThingProperty.SetJson",
        ]);
    }

    [Fact]
    public void Testing_UsesNoInternalsOfTheServerOrClient()
    {
        AssemblySeams.InternalsUsed(typeof(ThingTestHost).Assembly, typeof(LabThings.Server.LabThingsOptions).Assembly).Should().BeEmpty();
        AssemblySeams.InternalsUsed(typeof(ThingTestHost).Assembly, typeof(LabThings.Client.ThingClient).Assembly).Should().BeEmpty();
    }
}
