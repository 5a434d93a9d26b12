using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LabThings.Tests.Support;

namespace LabThings.Tests.Packaging;

/// <summary>
/// The labthings-server tool as a user gets it: packed, installed with <c>dotnet tool install --tool-path</c> from a
/// local folder feed, and run as a separate process on 127.0.0.1 with an ephemeral port.
/// </summary>
[Collection(LocalFeedGroup.Name)]
public sealed partial class ServerToolTests(LocalFeed feed)
{
    private static string ExampleConfig => Path.Combine(RepositoryPaths.Root, "examples", "labthings-server.json");

    [Fact]
    public async Task The_installed_tool_serves_the_example_config_with_valid_thing_descriptions()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var (tool, address) = await StartAsync(workDir, "-c", ExampleConfig, "--urls", "http://127.0.0.1:0", "--LabThings:Things:camera:Arguments:width=320");
        await using var _ = tool;
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var names = JsonNode.Parse(await client.GetStringAsync("/things/"))!.AsObject().Select(p => p.Key).ToList();
        names.Should().Contain(["camera", "counter", "light"]);
        var descriptions = new List<string>();
        foreach (var name in names)
        {
            descriptions.Add(await client.GetStringAsync($"/{name}/"));
        }

        var errors = await TdSchema.ValidateManyAsync(descriptions);
        errors.SelectMany(e => e).Should().BeEmpty();

        // The root sends a person to the API documentation.
        using (var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) })
        using (var root = await noRedirects.GetAsync("/"))
        {
            root.StatusCode.Should().Be(HttpStatusCode.Redirect);
            root.Headers.Location!.OriginalString.Should().Be("/docs");
        }

        // The configured initial setting and constructor arguments took effect.
        (await client.GetStringAsync("/light/brightness")).Should().Be("40");
        byte[]? frame = null;
        (await Eventually.TrueAsync(async () =>
        {
            using var snapshot = await client.GetAsync("/camera/stream/snapshot");
            frame = snapshot.IsSuccessStatusCode ? await snapshot.Content.ReadAsByteArrayAsync() : null;
            return frame is not null;
        })).Should().BeTrue("the camera streams once started");
        Jpeg.Decode(frame!).Should().Be((320, 480), "the width comes from the command line, over the file");
        // A changed setting is saved in the configured settings folder, relative to the current directory.
        using var put = await client.PutAsync("/light/brightness", new StringContent("55", Encoding.UTF8, "application/json"));
        put.IsSuccessStatusCode.Should().BeTrue();
        var saved = Path.Combine(workDir, "settings", "light.json");
        (await Eventually.TrueAsync(() => File.Exists(saved))).Should().BeTrue();
        JsonNode.Parse(await File.ReadAllTextAsync(saved))!["brightness"]!.GetValue<int>().Should().Be(55);
    }

    [Fact]
    public async Task A_bad_config_fails_with_the_path_of_each_bad_entry_and_no_stack_trace()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var config = Path.Combine(workDir, "bad.json");
        await File.WriteAllTextAsync(config, """
            {
              "LabThings": {
                "Things": {
                  "camera": { "Typ": "LabThings.Examples.SyntheticCamera" },
                  "light": { "Type": "LabThings.Examples.Light", "Settings": { "brightness": "bright" } }
                },
                "MaxInvocations": "many"
              }
            }
            """);

        var result = await Processes.RunAsync(feed.ToolCommand, ["-c", config, "--urls", "http://127.0.0.1:0"], workDir, timeout: TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("bad.json: LabThings:Things:camera:Typ: unknown key")
            .And.Contain("bad.json: LabThings:Things:camera:Type: missing")
            .And.Contain("bad.json: LabThings:MaxInvocations: must be an integer");
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
    }

    [Fact]
    public async Task Values_the_schema_cannot_check_are_reported_with_their_path()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var json = """{ "LabThings": { "Things": { "light": { "Type": "LabThings.Examples.Light", "Settings": { "brightness": "bright" } }, "lamp": { "Type": "LabThings.Examples.Lamp" } } } }""";

        var result = await Processes.RunAsync(feed.ToolCommand, ["--json", json], workDir, timeout: TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("LabThings:Things:light:Settings:brightness: 'bright' is not a valid Int32")
            .And.Contain("LabThings:Things:lamp:Type: no type 'LabThings.Examples.Lamp'");
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
    }

    [Fact]
    public async Task A_thing_that_fails_to_start_exits_non_zero_with_the_problem()
    {
        var workDir = RunningServer.NewTemporaryFolder();

        var result = await Processes.RunAsync(feed.ToolCommand, ["--json", UnpluggedConfig(), "--urls", "http://127.0.0.1:0"], workDir, timeout: TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain(UnpluggedThing.Problem);
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
    }

    [Fact]
    public async Task With_fallback_a_failed_start_serves_the_problems_as_a_page_and_as_problem_json()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var (tool, address) = await StartAsync(workDir, "--json", UnpluggedConfig(), "--urls", "http://127.0.0.1:0", "--fallback");
        await using var _ = tool;
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        using var page = new HttpRequestMessage(HttpMethod.Get, "/counter/");
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
        using var pageResponse = await client.SendAsync(page);
        pageResponse.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        pageResponse.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await pageResponse.Content.ReadAsStringAsync()).Should().Contain("could not start").And.Contain(UnpluggedThing.Problem);

        using var problem = await client.PostAsync("/anything/at/all", new StringContent("{}", Encoding.UTF8, "application/json"));
        problem.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        problem.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var body = JsonNode.Parse(await problem.Content.ReadAsStringAsync())!;
        body["status"]!.GetValue<int>().Should().Be(503);
        body["problems"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Contain(p => p.Contains(UnpluggedThing.Problem));
    }

    [Fact]
    public async Task With_fallback_a_bad_config_is_served_too()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var (tool, address) = await StartAsync(workDir, "--json", """{ "LabThings": { "Things": { "x": { "Type": 3 } } } }""", "--urls", "http://127.0.0.1:0", "--fallback");
        await using var _ = tool;
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var body = JsonNode.Parse(await (await client.GetAsync("/")).Content.ReadAsStringAsync())!;
        body["problems"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Contain("--json: LabThings:Things:x:Type: must be a string");
    }

    [Fact]
    public async Task Basic_authentication_is_turned_on_by_the_config()
    {
        var (tool, client) = await StartWithAliceAsync();
        await using var _ = tool;
        using var __ = client;

        using var anonymous = await client.GetAsync("/counter/counter");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.Should().Contain(h => h.Scheme == "Basic");

        using var signedIn = new HttpRequestMessage(HttpMethod.Get, "/counter/counter");
        signedIn.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-secret")));
        using var response = await client.SendAsync(signedIn);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_and_authentication_libraries_are_loaded_only_when_first_used()
    {
        // What a server maps costs resident memory; these libraries serve requests many servers never get.
        var (tool, client) = await StartWithAliceAsync(""" "Anonymous": "Read", """);
        await using var _ = tool;
        using var __ = client;
        string[] openApi = ["Swashbuckle.AspNetCore.SwaggerGen.dll", "Microsoft.OpenApi.dll", "Microsoft.AspNetCore.Mvc.Core.dll"];
        string[] authentication = ["Microsoft.AspNetCore.Authentication.dll", "Microsoft.AspNetCore.DataProtection.dll", "idunno.Authentication.Basic.dll"];

        (await client.GetAsync("/counter/")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/counter/counter")).StatusCode.Should().Be(HttpStatusCode.OK, "anonymous clients may read");
        Mapped(tool).Should().NotContain(openApi).And.NotContain(authentication).And.NotContain("Swashbuckle.AspNetCore.SwaggerUI.dll");

        (await client.GetAsync("/openapi.json")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/docs/index.html")).StatusCode.Should().Be(HttpStatusCode.OK);
        Mapped(tool).Should().Contain(["Swashbuckle.AspNetCore.SwaggerGen.dll", "Swashbuckle.AspNetCore.SwaggerUI.dll"]).And.NotContain(authentication);

        using var signedIn = new HttpRequestMessage(HttpMethod.Post, "/counter/increment_counter");
        signedIn.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-secret")));
        signedIn.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        (await client.SendAsync(signedIn)).StatusCode.Should().Be(HttpStatusCode.Created);
        Mapped(tool).Should().Contain("idunno.Authentication.Basic.dll");

        static IEnumerable<string> Mapped(BackgroundProcess process)
            => File.ReadLines($"/proc/{process.Id}/maps").Select(line => Path.GetFileName(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last())).ToHashSet();
    }

    [Fact]
    public async Task Https_is_served_from_the_kestrel_section_of_the_config()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        using var certificate = Integration.HttpsTests.SelfSigned();
        await File.WriteAllBytesAsync(Path.Combine(workDir, "server.pfx"), certificate.Export(X509ContentType.Pfx, "pfx-password"));
        var config = Path.Combine(workDir, "https.json");
        await File.WriteAllTextAsync(config, """
            {
              "LabThings": { "Things": { "counter": { "Type": "LabThings.Examples.Counter" } } },
              "Kestrel": {
                "Endpoints": {
                  "Https": { "Url": "https://127.0.0.1:0", "Certificate": { "Path": "server.pfx", "Password": "pfx-password" } }
                }
              }
            }
            """);
        var (tool, address) = await StartAsync(workDir, "-c", config);
        await using var _ = tool;

        address.Should().StartWith("https://127.0.0.1:");
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(address) };

        // One CI run saw the first connection refused on the address the tool had just printed (not reproduced in
        // 13 runs here, nor in the other CI runs). Retry a refused connection for a while if the tool is still
        // running, and if it never answers, say whether it exited and what it printed.
        string? tdJson = null;
        HttpRequestException? refused = null;
        var answered = await Eventually.TrueAsync(async () =>
        {
            try
            {
                tdJson = await client.GetStringAsync("/counter/");
                return true;
            }
            catch (HttpRequestException ex) when (ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                refused = ex;
                return tool.HasExited ? throw new InvalidOperationException($"labthings-server exited:{Environment.NewLine}{tool.Output}", ex) : false;
            }
        }, TimeSpan.FromSeconds(15));
        answered.Should().BeTrue($"labthings-server should accept HTTPS on {address} ({refused?.Message}); its output:{Environment.NewLine}{tool.Output}");
        var td = JsonNode.Parse(tdJson!)!;
        td["base"]!.GetValue<string>().Should().StartWith("https://127.0.0.1:");
        (await client.GetStringAsync("/counter/counter")).Should().MatchRegex("^[0-9]+$");
    }

    [Fact]
    public async Task Environment_variables_and_command_line_override_the_file()
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var (tool, address) = await StartAsync(
            workDir,
            ["-c", ExampleConfig, "--urls", "http://127.0.0.1:0", "--LabThings:Title=From the command line"],
            new Dictionary<string, string?> { ["LABTHINGS_LabThings__PathPrefix"] = "/api" });
        await using var _ = tool;
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var openApi = JsonNode.Parse(await client.GetStringAsync("/api/openapi.json"))!;
        openApi["info"]!["title"]!.GetValue<string>().Should().Be("From the command line");
        (await client.GetAsync("/counter/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var td = JsonNode.Parse(await client.GetStringAsync("/api/counter/"))!;
        td["base"]!.GetValue<string>().Should().EndWith("/api/counter/");
    }

    [Fact]
    public async Task The_schema_command_prints_the_published_schema()
    {
        var result = await Processes.RunAsync(feed.ToolCommand, ["schema"], feed.Root, timeout: TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(0);
        JsonNode.DeepEquals(JsonNode.Parse(result.Output), JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tools", "LabThings.ServerTool", "labthings-server.schema.json"))))
            .Should().BeTrue();
    }

    [Fact]
    public async Task Help_lists_the_options()
    {
        var result = await Processes.RunAsync(feed.ToolCommand, ["--help"], feed.Root, timeout: TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("--config").And.Contain("--json").And.Contain("--urls").And.Contain("--fallback").And.Contain("schema");
    }

    /// <summary>A configuration hosting a Thing from an assembly file (this test assembly) that throws when started.</summary>
    private static string UnpluggedConfig() => new JsonObject
    {
        ["LabThings"] = new JsonObject
        {
            ["Things"] = new JsonObject
            {
                ["counter"] = new JsonObject { ["Type"] = "LabThings.Examples.Counter" },
                ["stage"] = new JsonObject
                {
                    ["Type"] = typeof(UnpluggedThing).FullName,
                    ["Assembly"] = typeof(UnpluggedThing).Assembly.Location,
                },
            },
        },
    }.ToJsonString();

    /// <summary>
    /// Starts the tool with the example counter and one Basic user, alice (password <c>alice-secret</c>), and a client
    /// of it; <paramref name="moreSecurity"/> is put into <c>LabThings:Security</c> before <c>Basic</c>.
    /// </summary>
    private async Task<(BackgroundProcess Tool, HttpClient Client)> StartWithAliceAsync(string moreSecurity = "")
    {
        var workDir = RunningServer.NewTemporaryFolder();
        var config = Path.Combine(workDir, "secured.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "LabThings": {
                "Things": { "counter": { "Type": "LabThings.Examples.Counter" } },
                "Security": { {{moreSecurity}} "Basic": { "Users": { "alice": { "Password": "alice-secret" } } } }
              }
            }
            """);
        var (tool, address) = await StartAsync(workDir, "-c", config, "--urls", "http://127.0.0.1:0");
        return (tool, new HttpClient { BaseAddress = new Uri(address) });
    }

    private Task<(BackgroundProcess Process, string Address)> StartAsync(string workDir, params string[] arguments)
        => StartAsync(workDir, arguments, null);

    private async Task<(BackgroundProcess Process, string Address)> StartAsync(string workDir, string[] arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var (process, address) = await BackgroundProcess.StartAsync(feed.ToolCommand, arguments, workDir, ListeningLine(), environment);
        return (process, address);
    }

    [GeneratedRegex(@"labthings-server: (?:listening|serving the problems \(--fallback\)) on (https?://[^/\s]+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
