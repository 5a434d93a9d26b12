using System.Net;
using System.Net.Sockets;
using LabThings.Cli;
using LabThings.Tests.Integration;
using LabThings.Tests.Support;
using static LabThings.Tests.Cli.CliRunner;

namespace LabThings.Tests.Cli;

/// <summary><c>labthings</c> when things go wrong: usage errors, servers that cannot be reached or do not answer, credentials.</summary>
public sealed class CliFailureTests
{
    [Fact]
    public async Task UnreachableServer_IsAClearErrorWithExitCode4()
    {
        var port = ClosedPort();

        var result = await RunAsync("read", $"http://127.0.0.1:{port}/light/", "brightness");
        var list = await RunAsync("list", $"http://127.0.0.1:{port}/");

        result.ExitCode.Should().Be(ExitCodes.Unreachable);
        result.Error.Should().Be($"labthings: could not reach the server: Connection refused (127.0.0.1:{port}){Environment.NewLine}");
        list.ExitCode.Should().Be(ExitCodes.Unreachable);
        list.Error.Should().StartWith("labthings: could not reach the server");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task ServerThatDoesNotAnswer_TimesOutAfterTimeoutSeconds()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var result = await RunAsync("td", $"http://127.0.0.1:{port}/light/", "--timeout", "0.5");

        result.ExitCode.Should().Be(ExitCodes.Unreachable);
        result.Error.Should().Be("labthings: no answer within 0.5 s (--timeout)." + Environment.NewLine);
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided.")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'.")]
    [InlineData(new[] { "read", "light", "brightness" }, "THING must be an http:// or https:// URL, such as http://127.0.0.1:5000/light/; not 'light'.")]
    [InlineData(new[] { "read", "http://127.0.0.1:9/light/" }, "Required argument 'PROPERTY' missing for command: 'read'.")]
    [InlineData(new[] { "td", "http://127.0.0.1:9/light/", "--timeout", "0" }, "--timeout must be a number of seconds above 0; not '0'.")]
    [InlineData(new[] { "td", "http://127.0.0.1:9/light/", "--timeout", "soon" }, "--timeout must be a number of seconds above 0; not 'soon'.")]
    [InlineData(new[] { "observe", "http://127.0.0.1:9/light/", "brightness", "--count", "0" }, "--count must be a whole number, 1 or more; not '0'.")]
    [InlineData(new[] { "td", "http://127.0.0.1:9/light/", "--password", "secret" }, "--password needs --user.")]
    [InlineData(new[] { "td", "http://127.0.0.1:9/light/", "--user", "alice", "--token", "t" }, "Give --user (Basic) or --token (bearer), not both.")]
    [InlineData(new[] { "td", "http://127.0.0.1:9/light/", "--user", "alice" }, "No password for 'alice': give --password, set LABTHINGS_PASSWORD, or run at a terminal to be asked.")]
    [InlineData(new[] { "td", "http://127.0.0.1:9/light/", "--user", "lab:admin", "--password", "secret" }, "A Basic user name cannot contain ':'.")]
    public async Task UsageErrors_PrintWhatIsWrongAndExit2(string[] args, string message)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.ToString());
        result.Error.Should().Contain(message);
        result.Output.Should().BeEmpty();
        StackFrame().IsMatch(result.All).Should().BeFalse(result.All);
    }

    [Fact]
    public async Task Help_ListsTheCommandsAndTheExitCodes()
    {
        var result = await RunAsync("--help");

        result.ExitCode.Should().Be(ExitCodes.Success);
        result.Output.Should().Contain("list <SERVER_URL>").And.Contain("td <THING>").And.Contain("read <THING> <PROPERTY>")
            .And.Contain("write <THING> <PROPERTY> <JSON>").And.Contain("invoke <THING> <ACTION>").And.Contain("observe <THING> <PROPERTY>")
            .And.Contain("events <THING> <EVENT>").And.Contain("snapshot <THING> <STREAM> <FILE>")
            .And.Contain("--json").And.Contain("--user").And.Contain("--token").And.Contain("--timeout")
            .And.Contain("130 interrupted");
    }

    [Fact]
    public async Task Basic_WithoutCredentials_Is401WithAHint_AndWithThemReadsAndWrites()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        var light = new Uri(server.BaseAddress, "light/").AbsoluteUri;

        var anonymous = await RunAsync("read", light, "brightness");
        var write = await RunAsync("write", light, "brightness", "64", "--user", "alice", "--password", "alice-secret");
        var read = await RunAsync(["read", light, "brightness", "-u", "reader"], new Dictionary<string, string> { ["LABTHINGS_PASSWORD"] = "reader-secret" });
        var refused = await RunAsync(["write", light, "brightness", "3", "-u", "reader"], new Dictionary<string, string> { ["LABTHINGS_PASSWORD"] = "reader-secret" });
        var wrong = await RunAsync("read", light, "brightness", "--user", "alice", "--password", "not-her-password");

        anonymous.ExitCode.Should().Be(ExitCodes.Refused);
        anonymous.Error.Should().Contain("the server refused the request: 401").And.Contain("Give credentials with --user");
        write.ExitCode.Should().Be(ExitCodes.Success, write.ToString());
        read.ExitCode.Should().Be(ExitCodes.Success, read.ToString());
        read.Output.Should().Be("64 %" + Environment.NewLine);
        refused.ExitCode.Should().Be(ExitCodes.Refused);
        refused.Error.Should().Contain("403");
        wrong.ExitCode.Should().Be(ExitCodes.Refused);
        wrong.Error.Should().Contain("401");
        using var check = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "light/brightness") { Headers = { Authorization = AuthenticationTests.Basic("alice", "alice-secret") } });
        (await check.Content.ReadAsStringAsync()).Should().Be("64", "only alice's write went through");
    }

    [Fact]
    public async Task Basic_ListObserveAndInvoke_SendTheCredentials()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        var credentials = new[] { "--user", "alice", "--password", "alice-secret" };

        var list = await RunAsync(["list", server.BaseAddress.AbsoluteUri, .. credentials]);
        var invoke = await RunAsync(["invoke", new Uri(server.BaseAddress, "counter/").AbsoluteUri, "slowly_increase_counter", """{"increments": 2, "interval": 0.05}""", "--json", .. credentials]);
        var observe = Start(["observe", new Uri(server.BaseAddress, "counter/").AbsoluteUri, "counter", "--json", "-n", "1", .. credentials]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!observe.Completion.IsCompleted && DateTime.UtcNow < deadline)
        {
            (await RunAsync(["invoke", new Uri(server.BaseAddress, "counter/").AbsoluteUri, "increment_counter", .. credentials])).ExitCode.Should().Be(0);
            await Task.Delay(100);
        }

        var observed = await observe.Completion;

        list.ExitCode.Should().Be(ExitCodes.Success, list.ToString());
        list.Output.Should().Contain("counter").And.Contain("Counter");
        invoke.ExitCode.Should().Be(ExitCodes.Success, invoke.ToString());
        invoke.Output.Trim().Should().Be("2");
        observed.ExitCode.Should().Be(ExitCodes.Success, observed.ToString());
        int.Parse(observed.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(2);
    }

    [Fact]
    public async Task Bearer_TokenFromTheEnvironmentOrTheOption_ReadsAndIsRefusedWhatItsScopeLacks()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey });
        var light = new Uri(server.BaseAddress, "light/").AbsoluteUri;
        var environment = new Dictionary<string, string> { ["LABTHINGS_TOKEN"] = AuthenticationTests.Token("read") };

        var read = await RunAsync(["read", light, "brightness", "--json"], environment);
        var write = await RunAsync(["write", light, "brightness", "20"], environment);
        var writeWithOption = await RunAsync(["write", light, "brightness", "20", "--token", AuthenticationTests.Token("light:write")], environment);

        read.ExitCode.Should().Be(ExitCodes.Success, read.ToString());
        int.Parse(read.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(0, 100);
        write.ExitCode.Should().Be(ExitCodes.Refused);
        write.Error.Should().Contain("403");
        writeWithOption.ExitCode.Should().Be(ExitCodes.Success, writeWithOption.ToString() + "; --token comes before LABTHINGS_TOKEN");
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on (it was free a moment ago).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
