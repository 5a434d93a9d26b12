using System.IO.Compression;
using System.Xml.Linq;
using LabThings.Tests.Support;

namespace LabThings.Tests.Packaging;

/// <summary>What `dotnet pack` makes: every package with licence, readme, project URL and tags, the libraries with XML docs and symbol packages.</summary>
[Collection(LocalFeedGroup.Name)]
public sealed class PackageTests(LocalFeed feed)
{
    [Fact]
    public void Pack_prints_no_warning()
    {
        feed.Pack.All.Should().NotContainEquivalentOf("warning");
    }

    [Theory]
    [InlineData("LabThings.Core", true)]
    [InlineData("LabThings.Outputs", true)]
    [InlineData("LabThings.Server", true)]
    [InlineData("LabThings.Cameras.Ffmpeg", true)]
    [InlineData("LabThings.Examples", true)]
    [InlineData("LabThings.Client", true)]
    [InlineData("LabThings.Testing", true)]
    [InlineData("LabThings.ServerTool", false)]
    [InlineData("LabThings.Cli", false)]
    [InlineData("LabThings.ClientGenerator", false)]
    [InlineData("LabThings.Templates", false)]
    public void Packages_carry_licence_readme_project_url_and_tags(string id, bool isLibrary)
    {
        using var package = ZipFile.OpenRead(feed.Package(id));
        var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string Element(string name) => nuspec.Descendants().Single(e => e.Name.LocalName == name).Value;

        nuspec.Descendants().Single(e => e.Name.LocalName == "license").Attribute("type")!.Value.Should().Be("expression");
        Element("license").Should().Be("MIT");
        Element("readme").Should().Be("README.md");
        package.GetEntry("README.md").Should().NotBeNull();
        Element("projectUrl").Should().StartWith("https://");
        Element("tags").Should().Contain("labthings");
        Element("version").Should().Be(feed.Version);
        if (isLibrary)
        {
            package.GetEntry($"lib/net10.0/{id}.xml").Should().NotBeNull("the libraries ship their XML docs");
            File.Exists(feed.Package(id, "snupkg")).Should().BeTrue("the libraries ship symbol packages");
            using var symbols = ZipFile.OpenRead(feed.Package(id, "snupkg"));
            symbols.GetEntry($"lib/net10.0/{id}.pdb").Should().NotBeNull();
        }
    }

    [Fact]
    public void The_tool_package_is_a_dotnet_tool_named_labthings_server()
    {
        using var package = ZipFile.OpenRead(feed.Package("LabThings.ServerTool"));
        var settings = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal)).Open());
        settings.Descendants("Command").Single().Attribute("Name")!.Value.Should().Be("labthings-server");
        package.Entries.Should().Contain(e => e.FullName.EndsWith("/LabThings.Examples.dll", StringComparison.Ordinal), "the tool ships the example Things");
        package.Entries.Should().NotContain(e => e.FullName.StartsWith("tools/", StringComparison.Ordinal) && e.FullName.Contains("/native/", StringComparison.Ordinal) && e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_tool_runs_with_workstation_gc_and_gen0_at_most_6_MiB()
    {
        using var package = ZipFile.OpenRead(feed.Package("LabThings.ServerTool"));
        await using var stream = package.Entries.Single(e => e.FullName.EndsWith("/LabThings.ServerTool.runtimeconfig.json", StringComparison.Ordinal)).Open();
        var properties = (await System.Text.Json.Nodes.JsonNode.ParseAsync(stream))!["runtimeOptions"]!["configProperties"];

        // A console app's default is workstation GC; the gen-0 cap is ours (docs/hosting.md, "Runtime settings for a lab PC").
        properties?["System.GC.Server"]?.GetValue<bool>().Should().NotBe(true, "labthings-server runs with workstation GC");
        properties?["System.GC.Gen0MaxBudget"]?.GetValue<long>().Should().Be(6 * 1024 * 1024, "gen 0 stays at 6 MiB however large the CPU's cache");
    }
}
