using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;

namespace LabThings.Tests.Integration;

/// <summary>
/// The Thing Description tells the truth about security (issue 10): its securityDefinitions and security follow the
/// configuration, it stays valid against the W3C TD schema, and Eclipse node-wot can work from it alone.
/// </summary>
public sealed class SecurityDescriptionTests
{
    private static async Task<JsonNode> DescriptionAsync(RunningServer server, string thing)
    {
        var json = await server.Client.GetStringAsync(thing + "/");
        (await TdSchema.ValidateAsync(json)).Should().BeEmpty("the TD must stay valid with security configured");
        return JsonNode.Parse(json)!;
    }

    [Fact]
    public async Task NoScheme_IsNosec()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var td = await DescriptionAsync(server, "light");
        td["security"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("nosec_sc");
        td["securityDefinitions"]!["nosec_sc"]!["scheme"]!.GetValue<string>().Should().Be("nosec");
    }

    [Fact]
    public async Task Basic_IsDescribedAsBasicInTheHeader()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        var td = await DescriptionAsync(server, "light");
        td["security"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("basic_sc");
        td["securityDefinitions"]!.AsObject().Select(p => p.Key).Should().Equal("basic_sc");
        td["securityDefinitions"]!["basic_sc"]!["scheme"]!.GetValue<string>().Should().Be("basic");
        td["securityDefinitions"]!["basic_sc"]!["in"]!.GetValue<string>().Should().Be("header");
        td.ToJsonString().Should().NotContain("nosec", "nothing works without credentials");
    }

    [Fact]
    public async Task Bearer_IsDescribedAsJwt_WithItsAuthorizationServer()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?>
        {
            ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey,
            ["LabThings:Security:Bearer:AuthorizationUrl"] = "https://login.lab.example/token",
        });
        var scheme = (await DescriptionAsync(server, "counter"))["securityDefinitions"]!["bearer_sc"]!;
        scheme["scheme"]!.GetValue<string>().Should().Be("bearer");
        scheme["format"]!.GetValue<string>().Should().Be("jwt");
        scheme["alg"]!.GetValue<string>().Should().Be("HS256");
        scheme["authorization"]!.GetValue<string>().Should().Be("https://login.lab.example/token");
    }

    [Fact]
    public async Task BothSchemes_AreACombo_EitherOneSuffices()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?>(AuthenticationTests.BasicUsers)
        {
            ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey,
        });
        var td = await DescriptionAsync(server, "camera");
        td["security"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("combo_sc");
        td["securityDefinitions"]!["combo_sc"]!["oneOf"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("basic_sc", "bearer_sc");

        // And either one does work.
        using var basic = new HttpRequestMessage(HttpMethod.Get, "light/brightness") { Headers = { Authorization = AuthenticationTests.Basic("alice", "alice-secret") } };
        (await server.Client.SendAsync(basic)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "light/brightness") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AuthenticationTests.Token("read")) } };
        (await server.Client.SendAsync(bearer)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnonymousRead_MarksTheFormsThatNeedNoCredentials()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?>(AuthenticationTests.BasicUsers) { ["LabThings:Security:Anonymous"] = "Read" });
        var td = await DescriptionAsync(server, "light");
        td["security"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("basic_sc");
        td["securityDefinitions"]!["nosec_sc"]!["scheme"]!.GetValue<string>().Should().Be("nosec");

        static JsonNode? FormSecurity(JsonNode affordance, string op)
            => affordance["forms"]!.AsArray().First(f => f!["op"]!.AsArray().Any(o => o!.GetValue<string>() == op))!["security"];

        var status = td["properties"]!["status"]!;
        FormSecurity(status, "readproperty")!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("nosec_sc");
        var brightness = td["properties"]!["brightness"]!;
        FormSecurity(brightness, "writeproperty").Should().BeNull("writing needs the Thing's security");
        FormSecurity(brightness, "observeproperty")!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("nosec_sc");

        var counter = await DescriptionAsync(server, "counter");
        FormSecurity(counter["actions"]!["increment_counter"]!, "invokeaction").Should().BeNull();
    }

    [Fact]
    public async Task OpenApi_DescribesTheSchemes_And401_AndStaysValid()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?>(AuthenticationTests.BasicUsers)
        {
            ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey,
        });
        var json = await server.Client.GetStringAsync("openapi.json");
        (await OpenApiValidator.ValidateAsync(json)).Should().BeEmpty();
        var doc = JsonNode.Parse(json)!;
        doc["components"]!["securitySchemes"]!["basic"]!["scheme"]!.GetValue<string>().Should().Be("basic");
        doc["components"]!["securitySchemes"]!["bearer"]!["bearerFormat"]!.GetValue<string>().Should().Be("JWT");
        doc["paths"]!["/light/brightness"]!["put"]!["responses"]!["401"].Should().NotBeNull();
        doc["paths"]!["/light/"]!["get"]!["responses"]!["401"].Should().BeNull("descriptions are open to everyone");
    }

    [Fact]
    public async Task NodeWot_WithCredentials_ReadsWritesAndInvokes_WithoutThemGets401()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        string[] arguments = [new Uri(server.BaseAddress, "light/").AbsoluteUri, "brightness", "42", new Uri(server.BaseAddress, "counter/").AbsoluteUri, "increment_counter"];

        var withCredentials = JsonNode.Parse(await NodeScripts.RunAsync("wot-auth.mjs", """{"username":"alice","password":"alice-secret"}""", "@node-wot/core", arguments))!;
        withCredentials["failed"].Should().BeNull();
        withCredentials["read"]!["ok"]!.GetValue<bool>().Should().BeTrue(withCredentials.ToJsonString());
        withCredentials["write"]!["value"]!.GetValue<int>().Should().Be(42, withCredentials.ToJsonString());
        withCredentials["invoke"]!["value"]!.GetValue<int>().Should().Be(1, withCredentials.ToJsonString());
        withCredentials["readAll"]!["value"]!["brightness"]!.GetValue<int>().Should().Be(42, withCredentials.ToJsonString());
        withCredentials["observe"]!["ok"]!.GetValue<bool>().Should().BeTrue(withCredentials.ToJsonString());

        // With no credentials node-wot sends nothing (the TD says Basic is needed); with wrong ones it meets 401.
        var without = JsonNode.Parse(await NodeScripts.RunAsync("wot-auth.mjs", "null", "@node-wot/core", arguments))!;
        var wrong = JsonNode.Parse(await NodeScripts.RunAsync("wot-auth.mjs", """{"username":"alice","password":"wrong"}""", "@node-wot/core", arguments))!;
        foreach (var operation in new[] { "read", "write", "invoke", "observe" })
        {
            without[operation]!["ok"]!.GetValue<bool>().Should().BeFalse(operation);
            wrong[operation]!["ok"]!.GetValue<bool>().Should().BeFalse(operation);
        }

        wrong["read"]!["error"]!.GetValue<string>().Should().Contain("Unauthorized", wrong.ToJsonString());
        server.Services.GetService(typeof(LabThings.Examples.Counter)).As<LabThings.Examples.Counter>().Count.Should().Be(1, "only the invocation with credentials ran");
    }
}
