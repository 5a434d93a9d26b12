using System.IO.Compression;
using System.Xml.Linq;
using LabThings.Tests.Support;

namespace LabThings.Tests.Packaging;

/// <summary>
/// The <c>labthings</c> command line as a user gets it: the LabThings.Cli package from the local feed, installed as a
/// local tool (a tool manifest in a folder, as a lab would pin it in a repository) and run with <c>dotnet labthings</c>
/// against the example server on 127.0.0.1.
/// </summary>
[Collection(LocalFeedGroup.Name)]
public sealed class CliToolTests(LocalFeed feed)
{
    [Fact]
    public void The_package_is_a_dotnet_tool_named_labthings()
    {
        using var package = ZipFile.OpenRead(feed.Package("LabThings.Cli"));
        var settings = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal)).Open());
        settings.Descendants("Command").Single().Attribute("Name")!.Value.Should().Be("labthings");
        package.Entries.Should().Contain(e => e.FullName.EndsWith("/LabThings.Client.dll", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Installed_as_a_local_tool_it_shows_help_and_lists_the_example_things()
    {
        var work = Path.Combine(feed.Root, "cli-local-tool");
        Directory.CreateDirectory(work);
        await Processes.DotnetAsync(work, null, "new", "tool-manifest");
        await Processes.DotnetAsync(work, null, "tool", "install", "LabThings.Cli", "--local", "--add-source", feed.Folder, "--version", feed.Version);
        await using var server = await RunningServer.StartExampleAsync();

        var help = await Processes.RunAsync(Processes.Dotnet, ["labthings", "--help"], work, timeout: TimeSpan.FromMinutes(1));
        var list = await Processes.RunAsync(Processes.Dotnet, ["labthings", "list", server.BaseAddress.AbsoluteUri, "--json"], work, timeout: TimeSpan.FromMinutes(1));

        help.ExitCode.Should().Be(0, help.ToString());
        help.Output.Should().Contain("list <SERVER_URL>").And.Contain("invoke <THING> <ACTION>").And.Contain("snapshot <THING> <STREAM> <FILE>");
        list.ExitCode.Should().Be(0, list.ToString());
        System.Text.Json.Nodes.JsonNode.Parse(list.Output)!.AsArray().Select(t => (string)t!["name"]!).Should().Contain(["camera", "counter", "light"]);
    }
}
