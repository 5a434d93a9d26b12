using LabThings.Server;
using LabThings.Tests.Support;
using Xunit.Abstractions;

namespace LabThings.Tests.Server;

/// <summary>
/// The seam between the libraries: what LabThings.Server may use of LabThings.Core's and LabThings.Outputs'
/// internals (through InternalsVisibleTo). Changing these lists is a design decision: see docs/design.md,
/// "The Thing–host seam".
/// </summary>
public sealed class SeamTests(ITestOutputHelper output)
{
    [Fact]
    public void Server_UsesOnlyTheListedInternalsOfCore()
    {
        var used = AssemblySeams.InternalsUsed(typeof(LabThingsOptions).Assembly, typeof(Thing).Assembly);
        output.WriteLine(string.Join(Environment.NewLine, used));
        var internalTypes = used.Where(entry => !entry.Contains('.', StringComparison.Ordinal)).ToHashSet();

        internalTypes.Should().BeEquivalentTo(
            ["ActionInvoker", "IInvocationLog", "IThingConnection", "ResponseSchemas", "SecurityScheme", "TdSecurity", "ThingDefinitions", "ThingDescriptionBuilder", "ThingPaths"],
            "these internal types of Core are the host's side of the seam");
        used.Where(entry => entry.Contains('.', StringComparison.Ordinal) && !internalTypes.Contains(entry.Split('.')[0])).Should().BeEquivalentTo(
            [
                "ActionContext.ctor",
                "SlotDefinition.Assign",
                "SlotDefinition.ValueFor",
                "StreamDefinition.GetStream",
                "Thing.Attach",
                "Thing.StartThingAsync",
                "Thing.StopThingAsync",
                "Thing.get_CreatedStreams",
                "ThingProperty.GetJsonUtf8",
                "ThingProperty.ParseJson",
                "ThingProperty.SetParsed",
                "ThingProperty.SetJson",
            ],
            "these are the only internal members of public Core types the server uses");
    }

    [Fact]
    public void Server_UsesOnlyTheStreamWriterSeamOfOutputs()
    {
        var used = AssemblySeams.InternalsUsed(typeof(LabThingsOptions).Assembly, typeof(global::LabThings.Outputs.MjpegStream).Assembly);

        used.Should().BeEquivalentTo(
            ["IMultipartPacer", "MjpegStream.WriteMultipartCoreAsync", "StreamSendLimiter", "StreamSendLimiter.ctor", "StreamSendLimiter.get_DefaultHold"],
            "the MJPEG writer with a pacer (slow clients, Linux) and a limiter (parts in flight, server-wide) is the one internal seam between Outputs and the server");
    }
}
