using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LabThings.Tests.Support;

namespace LabThings.Tests.Packaging;

/// <summary>
/// The <c>dotnet new</c> templates as a user gets them: the template package installed into a temporary hive (the
/// user's own templates are untouched), both templates instantiated and built against the LabThings packages of the
/// local feed (through a nuget.config, as README describes), the Thing template's tests run and the server template run.
/// </summary>
[Collection(LocalFeedGroup.Name)]
public sealed partial class TemplateTests(LocalFeed feed)
{
    [Fact]
    public async Task Both_templates_build_against_the_packages_and_their_test_and_server_work()
    {
        var root = RunningServer.NewTemporaryFolder();
        var hive = Path.Combine(root, "hive");
        var work = Path.Combine(root, "work");
        Directory.CreateDirectory(work);
        await feed.WriteNuGetConfigAsync(work);

        await Processes.DotnetAsync(work, null, "new", "install", feed.Package("LabThings.Templates"), "--debug:custom-hive", hive);
        await Processes.DotnetAsync(work, null, "new", "labthings-thing", "-n", "Shutter", "--LabThingsVersion", feed.Version, "--debug:custom-hive", hive);
        await Processes.DotnetAsync(work, null, "new", "labthings-server", "-n", "Bench", "--LabThingsVersion", feed.Version, "--debug:custom-hive", hive);

        var test = await Processes.DotnetAsync(work, null, "test", Path.Combine("Shutter", "Shutter.Tests"));
        test.Output.Should().MatchRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+3", "the Thing template's tests include one written with LabThings.Testing");

        var build = await Processes.DotnetAsync(work, null, "build", "Bench");
        build.Output.Should().Contain("0 Warning(s)");
        var runtimeConfig = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(work, "Bench", "bin", "Debug", "net10.0", "Bench.runtimeconfig.json")))!;
        var configProperties = runtimeConfig["runtimeOptions"]!["configProperties"]!;
        configProperties["System.GC.Server"]!.GetValue<bool>()
            .Should().BeFalse("a server made from the template runs with workstation GC, as labthings-server does (docs/hosting.md)");
        configProperties["System.GC.Gen0MaxBudget"]?.GetValue<long>()
            .Should().Be(6 * 1024 * 1024, "a server made from the template keeps gen 0 at 6 MiB on a CPU with a large cache, as labthings-server does");

        // The server template serves the Thing its appsettings.json names, with the constructor argument it gives.
        var bench = Path.Combine(work, "Bench");
        var (server, address) = await BackgroundProcess.StartAsync(
            Processes.Dotnet, [Path.Combine(bench, "bin", "Debug", "net10.0", "Bench.dll"), "--urls", "http://127.0.0.1:0"], bench, ListeningLine());
        await using var _ = server;
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        (await client.GetStringAsync("/thermometer/temperature")).Should().Be("21.5");
        using (var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) })
        using (var home = await noRedirects.GetAsync("/"))
        {
            home.StatusCode.Should().Be(System.Net.HttpStatusCode.Redirect, "the root sends a person to the API documentation");
            home.Headers.Location!.OriginalString.Should().Be("/docs");
        }

        var errors = await TdSchema.ValidateAsync(await client.GetStringAsync("/thermometer/"));
        errors.Should().BeEmpty();

        // HTTPS from Kestrel's configuration keys works in a server made from the template (docs/security.md).
        using var certificate = Integration.HttpsTests.SelfSigned();
        await File.WriteAllBytesAsync(Path.Combine(bench, "server.pfx"), certificate.Export(X509ContentType.Pfx, "pfx-password"));
        var (secure, secureAddress) = await BackgroundProcess.StartAsync(
            Processes.Dotnet,
            [
                Path.Combine(bench, "bin", "Debug", "net10.0", "Bench.dll"),
                "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
                "--Kestrel:Endpoints:Https:Certificate:Path=server.pfx",
                "--Kestrel:Endpoints:Https:Certificate:Password=pfx-password",
            ],
            bench,
            ListeningLine());
        await using var __ = secure;
        secureAddress.Should().StartWith("https://127.0.0.1:");
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var secureClient = new HttpClient(handler) { BaseAddress = new Uri(secureAddress) };
        (await secureClient.GetStringAsync("/thermometer/temperature")).Should().Be("21.5");
    }

    [Fact]
    public void The_templates_default_to_the_version_being_built()
    {
        var version = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        foreach (var template in new[] { "labthings-thing", "labthings-server" })
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "templates", "content", template, ".template.config", "template.json")))!;
            json["symbols"]!["LabThingsVersion"]!["defaultValue"]!.GetValue<string>().Should().Be(version, $"{template} should reference the packages of this version");
        }
    }

    [GeneratedRegex(@"Now listening on: (https?://\S+)")]
    private static partial Regex ListeningLine();
}
