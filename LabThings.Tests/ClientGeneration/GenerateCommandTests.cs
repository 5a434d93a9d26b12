using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using LabThings.ClientGenerator;
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

    private static async Task<(int ExitCode, string Output, string Error, string Folder)> RunIntoAsync(string folder, string[] sources, string @namespace = "Lab.Clients")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await GenerateCommand.RunAsync(new GenerateArguments(sources, folder, @namespace, TimeSpan.FromSeconds(10)), output, error);
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
}
