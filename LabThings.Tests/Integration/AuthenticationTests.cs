using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Examples;
using LabThings.Server;
using LabThings.Server.Security;
using LabThings.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LabThings.Tests.Integration;

/// <summary>
/// Authentication and permissions over real Kestrel (issue 10), configured the way a deployment would: through
/// configuration keys only (here in memory; a JSON file, environment variables and the command line feed the same keys).
/// </summary>
public sealed class AuthenticationTests
{
    /// <summary>A 256-bit HS256 key, base64.</summary>
    internal static readonly string SigningKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("a test signing key of 32 bytes!!"));

    /// <summary>Users: alice may do everything, reader may read and observe, operator may invoke and cancel but sees only her own invocations.</summary>
    internal static readonly Dictionary<string, string?> BasicUsers = new()
    {
        ["LabThings:Security:Basic:Users:alice:Password"] = "alice-secret",
        ["LabThings:Security:Basic:Users:reader:Password"] = "reader-secret",
        ["LabThings:Security:Basic:Users:reader:Scopes:0"] = "read",
        ["LabThings:Security:Basic:Users:reader:Scopes:1"] = "observe",
        ["LabThings:Security:Basic:Users:operator:Password"] = "operator-secret",
        ["LabThings:Security:Basic:Users:operator:Scopes:0"] = "counter:invoke",
        ["LabThings:Security:Basic:Users:operator:Scopes:1"] = "counter:cancel",
        ["LabThings:Security:Basic:Users:operator:Scopes:2"] = "read",
    };

    internal static Task<RunningServer> StartAsync(IDictionary<string, string?> settings)
        => RunningServer.StartExampleAsync(b => b.Configuration.AddInMemoryCollection(settings));

    internal static AuthenticationHeaderValue Basic(string user, string password)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    internal static string Token(string scope, TimeSpan? lifetime = null, string subject = "token-user")
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", scope)]),
            NotBefore = now.AddMinutes(-10),
            IssuedAt = now.AddMinutes(-10),
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Every kind of operation on the example server, as (name, request).</summary>
    private static IEnumerable<(string Name, Func<HttpRequestMessage> Request)> Operations()
    {
        yield return ("read", () => new HttpRequestMessage(HttpMethod.Get, "light/brightness"));
        yield return ("write", () => new HttpRequestMessage(HttpMethod.Put, "light/brightness") { Content = Json("40") });
        yield return ("reset", () => new HttpRequestMessage(HttpMethod.Post, "light/brightness/reset"));
        yield return ("invoke", () => new HttpRequestMessage(HttpMethod.Post, "counter/increment_counter") { Content = Json("{}") });
        yield return ("list invocations", () => new HttpRequestMessage(HttpMethod.Get, "action_invocations"));
        yield return ("snapshot", () => new HttpRequestMessage(HttpMethod.Get, "camera/stream/snapshot"));
        yield return ("stream viewer", () => new HttpRequestMessage(HttpMethod.Get, "camera/stream/viewer"));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task WithoutCredentials_EveryOperationKind_Is401WithChallenge_AndNothingChanges()
    {
        await using var server = await StartAsync(BasicUsers);
        var light = (Light)server.Services.GetService(typeof(Light))!;
        var before = light.Brightness;

        foreach (var (name, request) in Operations())
        {
            using var message = request();
            using var response = await server.Client.SendAsync(message);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, name);
            response.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Basic", name)
                .Which.Parameter.Should().Contain("realm=\"LabThings\"");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", name);
        }

        // Streams and Server-Sent Events are refused before anything is streamed.
        foreach (var path in new[] { "camera/stream", "light/brightness/sse", "counter/increment_counter/sse" })
        {
            using var response = await server.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, path);
        }

        // A WebSocket upgrade is refused with 401 too.
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        var connect = () => socket.ConnectAsync(new Uri(server.BaseAddress, "light/ws").ToWs(), CancellationToken.None);
        await connect.Should().ThrowAsync<WebSocketException>();
        socket.HttpStatusCode.Should().Be(HttpStatusCode.Unauthorized);

        light.Brightness.Should().Be(before);
        server.Services.GetService(typeof(Counter)).As<Counter>().Count.Should().Be(0, "no invocation ran");
    }

    [Fact]
    public async Task WithCredentials_EveryOperationKind_Succeeds()
    {
        await using var server = await StartAsync(BasicUsers);
        server.Client.DefaultRequestHeaders.Authorization = Basic("alice", "alice-secret");

        foreach (var (name, request) in Operations())
        {
            using var message = request();
            using var response = await server.Client.SendAsync(message);
            ((int)response.StatusCode).Should().BeInRange(200, 299, $"{name}: {await response.Content.ReadAsStringAsync()}");
        }

        using (var stream = await server.Client.GetAsync("camera/stream", HttpCompletionOption.ResponseHeadersRead))
        {
            stream.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var sse = await server.Client.GetAsync("light/brightness/sse", HttpCompletionOption.ResponseHeadersRead))
        {
            sse.StatusCode.Should().Be(HttpStatusCode.OK);
            sse.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        }

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", Basic("alice", "alice-secret").ToString());
        await socket.ConnectAsync(new Uri(server.BaseAddress, "light/ws").ToWs(), CancellationToken.None);
        socket.State.Should().Be(WebSocketState.Open);
        await TestWebSockets.SendAsync(socket, """{"messageType":"addPropertyObservation","data":{"brightness":true}}""");
        var received = Task.Run(async () =>
        {
            var message = await TestWebSockets.ReceiveAsync(socket);
            while (message["messageType"]!.GetValue<string>() != "propertyStatus")
            {
                message = await TestWebSockets.ReceiveAsync(socket);
            }

            return message;
        });

        // The server takes the subscription in its own time: write until a change is heard (each write a new value).
        var value = 11;
        while (!received.IsCompleted && value < 60)
        {
            using (var put = await server.Client.PutAsync("light/brightness", Json((++value).ToString(CultureInfo.InvariantCulture))))
            {
                put.StatusCode.Should().Be(HttpStatusCode.Created);
            }

            await Task.WhenAny(received, Task.Delay(200));
        }

        var notification = await received;
        notification["data"]!["brightness"]!.GetValue<int>().Should().BeInRange(12, value);
    }

    [Fact]
    public async Task WrongPassword_UnknownUser_OtherScheme_OrMalformedHeader_Are401_NeverAServerError()
    {
        var settings = new Dictionary<string, string?>(BasicUsers) { ["LabThings:Security:Bearer:SigningKey"] = SigningKey };
        await using var server = await StartAsync(settings);
        string[] headers =
        [
            Basic("alice", "wrong").ToString(), Basic("mallory", "alice-secret").ToString(), "Basic not base64!", "Basic", "Basic ",
            "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(":")), "Basic " + Convert.ToBase64String([0xff, 0xfe, 0x3a, 0xc3]),
            "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice")), "Bearer", "Bearer abc", "Bearer a.b.c",
            "Bearer " + new string('x', 8000), "Digest username=\"alice\"", "NTLM TlRMTVNTUAAB", "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:wrong")),
        ];
        foreach (var header in headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "light/brightness");
            request.Headers.TryAddWithoutValidation("Authorization", header).Should().BeTrue();
            using var response = await server.Client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, header.Length > 60 ? header[..60] : header);
            response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().BeEquivalentTo(["Basic", "Bearer"]);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
    }

    [Fact]
    public async Task Permissions_ArePerOperationKind_AndPerThing()
    {
        await using var server = await StartAsync(BasicUsers);
        async Task<HttpStatusCode> As(string user, HttpMethod method, string path, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = Basic(user, user + "-secret") } };
            if (body is not null)
            {
                request.Content = Json(body);
            }

            using var response = await server.Client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                problem["detail"]!.GetValue<string>().Should().Contain("permission", "a refusal says what is missing");
            }

            return response.StatusCode;
        }

        (await As("reader", HttpMethod.Get, "light/brightness")).Should().Be(HttpStatusCode.OK);
        (await As("reader", HttpMethod.Put, "light/brightness", "5")).Should().Be(HttpStatusCode.Forbidden);
        (await As("reader", HttpMethod.Post, "counter/increment_counter", "{}")).Should().Be(HttpStatusCode.Forbidden);
        (await As("operator", HttpMethod.Post, "counter/increment_counter", "{}")).Should().Be(HttpStatusCode.Created, "operator may invoke the counter's actions");
        (await As("operator", HttpMethod.Post, "camera/capture_jpeg", "{}")).Should().Be(HttpStatusCode.Forbidden, "but not the camera's");
        (await As("operator", HttpMethod.Put, "light/brightness", "5")).Should().Be(HttpStatusCode.Forbidden);
        (await As("alice", HttpMethod.Put, "light/brightness", "5")).Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Invocations_AreSeenAndCancelledOnlyByTheirOwner_OrWithAllInvocations()
    {
        var settings = new Dictionary<string, string?>(BasicUsers)
        {
            ["LabThings:Security:Basic:Users:other:Password"] = "other-secret",
            ["LabThings:Security:Basic:Users:other:Scopes:0"] = "counter:invoke",
            ["LabThings:Security:Basic:Users:other:Scopes:1"] = "counter:cancel",
        };
        await using var server = await StartAsync(settings);
        HttpRequestMessage As(string user, HttpMethod method, string path, string? body = null) => new(method, path)
        {
            Headers = { Authorization = Basic(user, user + "-secret") },
            Content = body is null ? null : Json(body),
        };

        using var started = await server.Client.SendAsync(As("operator", HttpMethod.Post, "counter/slowly_increase_counter", """{"increments": 50, "interval": 0.2}"""));
        started.StatusCode.Should().Be(HttpStatusCode.Created);
        var href = started.Headers.Location!.ToString();
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        using (var mine = await server.Client.SendAsync(As("operator", HttpMethod.Get, href)))
        {
            mine.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var theirs = await server.Client.SendAsync(As("other", HttpMethod.Get, href)))
        {
            theirs.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var list = await server.Client.SendAsync(As("other", HttpMethod.Get, "action_invocations")))
        {
            JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Should().BeEmpty("other started nothing");
        }

        using (var list = await server.Client.SendAsync(As("other", HttpMethod.Get, "counter/slowly_increase_counter")))
        {
            JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Should().BeEmpty();
        }

        using (var cancel = await server.Client.SendAsync(As("other", HttpMethod.Delete, href)))
        {
            cancel.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var list = await server.Client.SendAsync(As("alice", HttpMethod.Get, "action_invocations")))
        {
            JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Select(i => i!["id"]!.GetValue<string>())
                .Should().Contain(id, "alice holds every permission, all_invocations included");
        }

        using (var cancel = await server.Client.SendAsync(As("operator", HttpMethod.Delete, href)))
        {
            cancel.StatusCode.Should().Be(HttpStatusCode.OK, "the owner may cancel");
        }
    }

    [Fact]
    public async Task Bearer_TokenScopesGrantPermissions_ExpiredTokensAre401_AndWebSocketsTakeTheTokenInTheQuery()
    {
        await using var server = await StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Bearer:SigningKey"] = SigningKey });
        async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await server.Client.SendAsync(request);
        }

        var readToken = Token("read observe");
        using (var response = await Send(HttpMethod.Get, "light/brightness", null))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
        }

        using (var response = await Send(HttpMethod.Get, "light/brightness", readToken))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var response = await Send(HttpMethod.Put, "light/brightness", readToken, "3"))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var response = await Send(HttpMethod.Put, "light/brightness", Token("light:write"), "3"))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        using (var response = await Send(HttpMethod.Get, "light/brightness", Token("read", lifetime: TimeSpan.FromMinutes(-5))))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.Single().Parameter.Should().Contain("error=\"invalid_token\"");
        }

        using (var response = await Send(HttpMethod.Get, "light/brightness", readToken[..^4] + "AAAA"))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a token with a forged signature");
        }

        // A browser cannot put a header on a WebSocket or an <img>: those endpoints take ?access_token=.
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(new Uri(server.BaseAddress, "light/ws").ToWs() + "?access_token=" + readToken), CancellationToken.None);
        socket.State.Should().Be(WebSocketState.Open);
        // The token is accepted: the answer is the frame, or 503 until the camera has made its first one (a loaded machine).
        var snapshotStatus = HttpStatusCode.ServiceUnavailable;
        (await Eventually.TrueAsync(async () =>
        {
            using var snapshot = await server.Client.GetAsync("camera/stream/snapshot?access_token=" + readToken);
            snapshotStatus = snapshot.StatusCode;
            return snapshotStatus != HttpStatusCode.ServiceUnavailable;
        })).Should().BeTrue("the camera makes a first frame");
        snapshotStatus.Should().Be(HttpStatusCode.OK);

        using (var property = await server.Client.GetAsync("light/brightness?access_token=" + readToken))
        {
            property.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "plain reads take the token only in the header");
        }
    }

    [Fact]
    public async Task AnonymousRead_ReadsWithoutCredentials_ChangesNeedThem()
    {
        var settings = new Dictionary<string, string?>(BasicUsers) { ["LabThings:Security:Anonymous"] = "Read" };
        await using var server = await StartAsync(settings);
        using (var read = await server.Client.GetAsync("light/brightness"))
        {
            read.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var write = await server.Client.PutAsync("light/brightness", Json("9")))
        {
            write.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, "light/brightness") { Content = Json("9"), Headers = { Authorization = Basic("alice", "alice-secret") } };
        using var authorized = await server.Client.SendAsync(request);
        authorized.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AnonymousNone_WithoutAnyScheme_MakesAReadOnlyServerThatSays403()
    {
        await using var server = await StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Anonymous"] = "Read" });
        using var write = await server.Client.PutAsync("light/brightness", Json("9"));
        write.StatusCode.Should().Be(HttpStatusCode.Forbidden, "no scheme is configured, so there are no credentials to ask for");
        write.Headers.WwwAuthenticate.Should().BeEmpty();
        using var read = await server.Client.GetAsync("light/brightness");
        read.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BadSecurityConfiguration_StopsStartUp_NamingTheKey()
    {
        var start = () => StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Bearer:SigningKey"] = Convert.ToBase64String(new byte[8]) });
        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Message.Should().Contain("LabThings:Security:Bearer:SigningKey").And.Contain("32 bytes");

        var noPassword = () => StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Basic:Users:bob:Scopes:0"] = "read" });
        (await noPassword.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Message.Should().Contain("LabThings:Security:Basic:Users:bob has neither PasswordHash nor Password");
    }
}

internal static class UriExtensions
{
    public static Uri ToWs(this Uri uri) => new UriBuilder(uri) { Scheme = uri.Scheme == "https" ? "wss" : "ws" }.Uri;
}

/// <summary>Scopes required by attributes, hashed passwords, and the start-up warnings (issue 10).</summary>
public sealed class PermissionDetailTests
{
    [RequireScope("bench:admin")]
    public sealed class Bench : Thing
    {
        [ThingProperty]
        public int Level { get; set => SetProperty(ref field, value); }

        [ThingAction, RequireScope("bench:move")]
        public int Move(int steps) => steps;
    }

    [Fact]
    public async Task RequireScope_OnTheThingAndTheAction_IsNeededBesidesTheOperationPermission()
    {
        await using var server = await RunningServer.StartAsync(b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey,
            });
            b.Services.AddLabThings().AddThing<Bench>("bench");
        });
        async Task<(HttpStatusCode Status, string Body)> Post(string scope)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "bench/move")
            {
                Content = new StringContent("""{"steps": 3}""", Encoding.UTF8, "application/json"),
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AuthenticationTests.Token(scope)) },
            };
            using var response = await server.Client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, body) = await Post("invoke");
        status.Should().Be(HttpStatusCode.Forbidden);
        body.Should().Contain("bench:admin").And.Contain("bench:move", "the refusal names the scopes needed");
        (await Post("invoke bench:move")).Status.Should().Be(HttpStatusCode.Forbidden, "the Thing's scope is needed too");
        (await Post("bench:admin bench:move")).Status.Should().Be(HttpStatusCode.Forbidden, "and the invoke permission");
        (await Post("invoke bench:admin bench:move")).Status.Should().Be(HttpStatusCode.Created);
        (await Post("*")).Status.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task HashedPassword_FromHashPassword_Authenticates()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?>
        {
            ["LabThings:Security:Basic:Users:alice:PasswordHash"] = LabThingsUser.HashPassword("correct horse"),
        });
        using var right = new HttpRequestMessage(HttpMethod.Get, "light/brightness") { Headers = { Authorization = AuthenticationTests.Basic("alice", "correct horse") } };
        (await server.Client.SendAsync(right)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "light/brightness") { Headers = { Authorization = AuthenticationTests.Basic("alice", "correct horse!") } };
        (await server.Client.SendAsync(wrong)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("https://[::1]:5001", true)]
    [InlineData("http://0.0.0.0:5000", false)]
    [InlineData("http://[::]:5000", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://192.168.1.20:5000", false)]
    [InlineData("http://microscope.lab:5000", false)]
    public void ListeningAddress_IsLoopbackOnlyWhenItSaysSo(string address, bool loopback)
        => SecurityStartupCheck.IsLoopback(address).Should().Be(loopback);

    [Fact]
    public void StartupWarnings_NameTheExposure()
    {
        static SecurityPolicy Policy(LabThingsOptions options) => new(Microsoft.Extensions.Options.Options.Create(options));
        var open = new LabThingsOptions();
        SecurityStartupCheck.Warnings(["http://127.0.0.1:5000"], Policy(open), open.Security).Should().BeEmpty("loopback is the safe default");
        SecurityStartupCheck.Warnings(["http://0.0.0.0:5000"], Policy(open), open.Security).Should().ContainSingle()
            .Which.Should().Contain("0.0.0.0:5000").And.Contain("without credentials");

        var basic = new LabThingsOptions();
        basic.Security.Basic.Users["alice"] = new LabThingsUser { Password = "plain" };
        var warnings = SecurityStartupCheck.Warnings(["http://0.0.0.0:5000"], Policy(basic), basic.Security).ToList();
        warnings.Should().HaveCount(2);
        warnings.Should().Contain(w => w.Contains("plain HTTP", StringComparison.Ordinal));
        warnings.Should().Contain(w => w.Contains("alice", StringComparison.Ordinal) && w.Contains("plain text", StringComparison.Ordinal));
        SecurityStartupCheck.Warnings(["https://0.0.0.0:5001"], Policy(basic), basic.Security).Should().ContainSingle("only the plain-text password is left");
    }
}
