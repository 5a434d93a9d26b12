using LabThings.Model;

namespace LabThings.Analyzers.Tests;

public sealed class WireNameTests
{
    /// <summary>The analyzer cannot load System.Text.Json, so it derives wire names itself: it must agree with discovery.</summary>
    [Theory]
    [InlineData("FrameRate")]
    [InlineData("Position")]
    [InlineData("CaptureAsync")]
    [InlineData("Async")]
    [InlineData("XMLReader")]
    [InlineData("SHA512Hash")]
    [InlineData("ExposureMs")]
    [InlineData("IOError")]
    [InlineData("Frame2Rate")]
    [InlineData("already_snake")]
    [InlineData("_private")]
    [InlineData("ÄrgerLevel")]
    [InlineData("move_toAsync")]
    [InlineData("X")]
    [InlineData("ID")]
    [InlineData("GetIDs")]
    public void FromMember_AgreesWithDiscovery(string memberName)
    {
        WireName.FromMember(memberName).Should().Be(WireNames.FromMember(memberName));
    }
}
