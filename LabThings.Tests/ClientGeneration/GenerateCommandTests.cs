using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using LabThings.ClientGenerator;
using LabThings.Tests.Integration;
using LabThings.Tests.Support;

namespace LabThings.Tests.ClientGeneration;

/// <summary><c>labthings-client generate</c>: files, names that are awkward in C#, and its errors with their exit codes.</summary>
public sealed class GenerateCommandTests
{
    private const string AwkwardTd = """
        {
          "@context": "https://www.w3.org/2022/wot/td/v1.1",
          "title": "class",
          "description": "A Thing whose names are C# keywords, collide, and whose text has <markup> & \"quotes\"\nover two lines </summary>",
          "securityDefinitions": {"nosec_sc": {"scheme": "nosec"}}, "security": "nosec_sc",
          "properties": {
            "x": {"type": "integer", "forms": [{"href": "x"}]},
            "X": {"type": "number", "readOnly": true, "forms": [{"href": "X2"}]},
            "event": {"type": "string", "enum": ["on", "off", "Off"], "observable": true, "forms": [{"href": "e"}, {"href": "e/sse", "op": "observeproperty", "subprotocol": "sse"}]},
            "default": {"type": "object", "properties": {"default": {"type": "boolean"}, "Equals": {"type": "integer"}}, "required": ["default"], "forms": [{"href": "d"}]},
            "secret": {"type": "string", "writeOnly": true, "forms": [{"href": "s"}]}
          },
          "actions": {
            "connect": {"forms": [{"href": "connect"}]},
            "read_x": {"input": {"type": "object", "properties": {"progress": {"type": "number"}, "cancellationToken": {"type": "string"}, "in": {"type": "integer"}}, "required": ["in"]}, "output": {"type": ["string", "null"]}, "forms": [{"href": "rx"}]},
            "dispose": {"input": {"type": "array", "items": {"type": "string"}}, "forms": [{"href": "dispose"}]}
          },
          "events": {
            "changed": {"forms": [{"href": "changed", "subprotocol": "sse"}]}
          }
        }
        """;

    private static async Task<(int ExitCode, string Output, string Error, string Folder)> RunAsync(params string[] sources)
    {
        var folder = Path.Combine(RunningServer.NewTemporaryFolder(), "out");
        return await RunIntoAsync(folder, sources);
    }

    private static async Task<(int ExitCode, string Output, string Error, string Folder)> RunIntoAsync(
        string folder, string[] sources, string @namespace = "Lab.Clients", AuthenticationHeaderValue? authorization = null, HttpMessageHandler? handler = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await GenerateCommand.RunAsync(new GenerateArguments(sources, folder, @namespace, TimeSpan.FromSeconds(10), authorization), output, error, handler);
        return (exitCode, output.ToString(), error.ToString(), folder);
    }

    private static string WriteTemporary(string text)
    {
        var path = Path.Combine(RunningServer.NewTemporaryFolder(), "td.json");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Generate_AwkwardNames_GivesCodeThatCompilesWithEscapedDocs()
    {
        var (exitCode, output, error, folder) = await RunAsync(WriteTemporary(AwkwardTd));

        exitCode.Should().Be(0, error);
        output.Should().Contain("ClassClient.g.cs");
        var text = await File.ReadAllTextAsync(Path.Combine(folder, "ClassClient.g.cs"));
        text.Should().Contain("ReadXAsync(").And.Contain("ReadXPropertyAsync(", "x and X both read as ReadX")
            .And.Contain("WriteXAsync(long value").And.NotContain("WriteXPropertyAsync", "X is read-only")
            .And.Contain("Task<ClassClient> ConnectAsync(global::System.Uri url").And.Contain("Task InvokeConnectAsync(", "ConnectAsync is taken")
            .And.Contain("Task<string?> InvokeReadXAsync(", "read_x collides with the reader of x")
            .And.Contain("long @in, double? progressValue = null, string? cancellationTokenValue = null, global::System.IProgress<double>? progress = null")
            .And.Contain("DisposeAsync(global::System.Collections.Generic.IReadOnlyList<string> input,")
            .And.Contain("IAsyncEnumerable<Event> ObserveEventAsync(")
            .And.Contain("WriteSecretAsync(").And.NotContain("ReadSecretAsync", "secret is write-only")
            .And.Contain("IAsyncEnumerable<global::System.Text.Json.JsonElement> SubscribeChangedAsync(")
            .And.Contain("&lt;markup&gt; &amp; \"quotes\"").And.Contain("&lt;/summary&gt;")
            .And.Contain("public sealed record DefaultItem").And.Contain("public required bool Default { get; init; }").And.Contain("public long? EqualsValue { get; init; }");
        var assembly = GeneratedCode.Compile([text], "AwkwardClients");
        var members = assembly.GetType("Lab.Clients.Event")!.GetEnumNames();
        members.Should().Equal("On", "Off", "Off2");
    }

    [Fact]
    public async Task Generate_ThingDescriptionsFile_GeneratesEachThingInIt()
    {
        var first = JsonNode.Parse(AwkwardTd)!;
        first["title"] = "first";
        var second = JsonNode.Parse(AwkwardTd)!;
        second["title"] = "second";
        var file = WriteTemporary(new JsonObject { ["one"] = first, ["two"] = second }.ToJsonString());

        var (exitCode, _, error, folder) = await RunAsync(file);

        exitCode.Should().Be(0, error);
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().BeEquivalentTo("FirstClient.g.cs", "SecondClient.g.cs");
        var secondText = await File.ReadAllTextAsync(Path.Combine(folder, "SecondClient.g.cs"));
        secondText.Should().Contain("public enum SecondEvent", "the first Thing took the name Event");
        GeneratedCode.Compile(Directory.GetFiles(folder).Select(File.ReadAllText), "TwoClients").Should().NotBeNull();
    }

    [Fact]
    public async Task Generate_UnreachableUrl_ExitsWith2NamingItAndWritesNothing()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = $"http://127.0.0.1:{port}/light/";

        var (exitCode, _, error, folder) = await RunAsync(url);

        exitCode.Should().Be(ExitCodes.Unreachable);
        error.Should().Contain(url).And.Contain("cannot reach").And.Contain("nothing was written");
        Directory.Exists(folder).Should().BeFalse();
    }

    [Fact]
    public async Task Generate_UrlAnswering404_ExitsWith2WithTheProblemTitle()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var url = new Uri(server.BaseAddress, "no_such_thing/").ToString();

        var (exitCode, _, error, _) = await RunAsync(url);

        exitCode.Should().Be(ExitCodes.Unreachable);
        error.Should().Contain(url).And.Contain("404");
    }

    [Fact]
    public async Task Generate_FileListingTdUrls_FetchesEachThing()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var file = WriteTemporary($"[\"{new Uri(server.BaseAddress, "light/")}\", \"{new Uri(server.BaseAddress, "counter/")}\"]");

        var (exitCode, output, error, folder) = await RunAsync(file);

        exitCode.Should().Be(0, error);
        output.Should().Contain(new Uri(server.BaseAddress, "light/").ToString());
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().BeEquivalentTo("LightClient.g.cs", "CounterClient.g.cs");
    }

    [Fact]
    public async Task Generate_MissingFile_ExitsWith2()
    {
        var (exitCode, _, error, _) = await RunAsync("/no/such/td.json");

        exitCode.Should().Be(ExitCodes.Unreachable);
        error.Should().Contain("/no/such/td.json");
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"something": 1}""", "neither a Thing Description")]
    [InlineData("""{"@context": "https://www.w3.org/2022/wot/td/v1.1", "properties": {}}""", "'title' is missing")]
    [InlineData("""{"@context": "https://www.w3.org/2022/wot/td/v1.1", "title": "t", "properties": {"p": {"type": "number"}}}""", "properties.p: 'forms' is missing")]
    [InlineData("""{"@context": "https://www.w3.org/2022/wot/td/v1.1", "title": "t", "actions": {"a": {"input": 3, "forms": [{"href": "a"}]}}}""", "actions.a.input must be a data schema")]
    public async Task Generate_InvalidThingDescription_ExitsWith3NamingWhatIsWrong(string text, string expected)
    {
        var file = WriteTemporary(text);

        var (exitCode, _, error, folder) = await RunAsync(file);

        exitCode.Should().Be(ExitCodes.InvalidDescription);
        error.Should().Contain(file).And.Contain(expected);
        Directory.Exists(folder).Should().BeFalse();
    }

    [Fact]
    public async Task Generate_OutputUnderAFile_ExitsWith4()
    {
        var blocker = WriteTemporary("x");

        var (exitCode, _, error, _) = await RunIntoAsync(Path.Combine(blocker, "out"), [WriteTemporary(AwkwardTd)]);

        exitCode.Should().Be(ExitCodes.OutputNotWritable);
        error.Should().Contain("cannot write to");
    }

    [Fact]
    public async Task Generate_NamespaceThatIsNotOne_ExitsWith1()
    {
        var (exitCode, _, error, _) = await RunIntoAsync(Path.Combine(RunningServer.NewTemporaryFolder(), "out"), [WriteTemporary(AwkwardTd)], "Lab.class");

        exitCode.Should().Be(ExitCodes.Usage);
        error.Should().Contain("Lab.class");
    }

    [Fact]
    public async Task Tool_WithoutNamespace_ExitsWith1AndSaysWhatIsMissing()
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "LabThings.ClientGenerator.dll");

        var result = await Processes.RunAsync(Processes.Dotnet, [tool, "generate", "td.json", "-o", "out"], RunningServer.NewTemporaryFolder(), timeout: TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("--namespace");
    }

    [Fact]
    public async Task Generate_ServerThatNeedsSignIn_WithoutCredentialsSaysHow_WithThemGenerates()
    {
        await using var server = await StartSignInServerAsync();
        var td = new Uri(server.Urls.Single() + "/lamp/").ToString();

        var refused = await RunAsync(td);
        var signedIn = await RunIntoAsync(
            Path.Combine(RunningServer.NewTemporaryFolder(), "out"), [td], authorization: AuthenticationTests.Basic("alice", "alice-secret"));

        refused.ExitCode.Should().Be(ExitCodes.Unreachable);
        refused.Error.Should().Contain("401").And.Contain("--user").And.Contain("nothing was written");
        Directory.Exists(refused.Folder).Should().BeFalse();
        signedIn.ExitCode.Should().Be(0, signedIn.Error);
        Directory.GetFiles(signedIn.Folder).Select(Path.GetFileName).Should().Equal("LampClient.g.cs");
    }

    [Fact]
    public async Task Generate_Credentials_GoOnlyToTheOriginTheUserNamed_NotToWhereAListingPoints()
    {
        var handler = new RecordingHandler(request => request.RequestUri!.AbsolutePath switch
        {
            "/things/" => """{"light": "http://elsewhere.test/light/", "counter": "http://lab.test/counter/"}""",
            _ => MinimalTd.Replace("Lamp", request.RequestUri.AbsolutePath.Trim('/'), StringComparison.Ordinal),
        });

        var (exitCode, _, error, _) = await RunIntoAsync(
            Path.Combine(RunningServer.NewTemporaryFolder(), "out"), ["http://lab.test/things/"], authorization: new AuthenticationHeaderValue("Bearer", "secret-token"), handler: handler);

        exitCode.Should().Be(0, error);
        handler.Requests.Should().BeEquivalentTo(
        [
            ("http://lab.test/things/", "Bearer secret-token"),
            ("http://elsewhere.test/light/", (string?)null),
            ("http://lab.test/counter/", "Bearer secret-token"),
        ]);
    }

    [Fact]
    public async Task Tool_CredentialOptions_BasicFromTheEnvironmentWorks_AndUserWithTokenIsAUsageError()
    {
        await using var server = await StartSignInServerAsync();
        var tool = Path.Combine(AppContext.BaseDirectory, "LabThings.ClientGenerator.dll");
        var folder = RunningServer.NewTemporaryFolder();
        var light = server.Urls.Single() + "/lamp/";

        var signedIn = await Processes.RunAsync(
            Processes.Dotnet, [tool, "generate", light, "-o", "out", "-n", "Lab.Clients", "--user", "alice"], folder,
            new Dictionary<string, string?> { ["LABTHINGS_PASSWORD"] = "alice-secret" }, TimeSpan.FromMinutes(1));
        var both = await Processes.RunAsync(
            Processes.Dotnet, [tool, "generate", light, "-o", "out2", "-n", "Lab.Clients", "--user", "alice", "--token", "t"], folder, timeout: TimeSpan.FromMinutes(1));
        var noPassword = await Processes.RunAsync(
            Processes.Dotnet, [tool, "generate", light, "-o", "out3", "-n", "Lab.Clients", "--user", "alice"], folder,
            new Dictionary<string, string?> { ["LABTHINGS_PASSWORD"] = null }, TimeSpan.FromMinutes(1));

        signedIn.ExitCode.Should().Be(0, signedIn.Error);
        File.Exists(Path.Combine(folder, "out", "LampClient.g.cs")).Should().BeTrue();
        both.ExitCode.Should().Be(ExitCodes.Usage);
        both.Error.Should().Contain("not both");
        noPassword.ExitCode.Should().Be(ExitCodes.Usage);
        noPassword.Error.Should().Contain("LABTHINGS_PASSWORD");
        Directory.Exists(Path.Combine(folder, "out2")).Should().BeFalse();
    }

    /// <summary>
    /// A server (not LabThings: its TDs are open to all) that gives its TD only to alice with HTTP Basic, as some WoT
    /// servers do; on 127.0.0.1 with a port the system picks.
    /// </summary>
    private static async Task<WebApplication> StartSignInServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var expected = AuthenticationTests.Basic("alice", "alice-secret").ToString();
        app.MapGet("/lamp/", (HttpContext context) => context.Request.Headers.Authorization.ToString() == expected
            ? Results.Text(MinimalTd, "application/td+json")
            : Results.Problem(title: "Sign in first", statusCode: 401));
        await app.StartAsync();
        return app;
    }

    private const string MinimalTd = """
        {"@context": "https://www.w3.org/2022/wot/td/v1.1", "title": "Lamp", "securityDefinitions": {"nosec_sc": {"scheme": "nosec"}}, "security": "nosec_sc",
         "properties": {"on": {"type": "boolean", "forms": [{"href": "on"}]}}}
        """;

    /// <summary>Answers every GET with the JSON <c>answer</c> gives, recording each URL and the Authorization header it carried.</summary>
    private sealed class RecordingHandler(Func<HttpRequestMessage, string> answer) : HttpMessageHandler
    {
        public List<(string Url, string? Authorization)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add((request.RequestUri!.ToString(), request.Headers.Authorization?.ToString()));
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer(request), System.Text.Encoding.UTF8, "application/td+json") });
        }
    }
}
