using System.Diagnostics;
using System.Globalization;
using LabThings.Cli;
using LabThings.Tests.Support;

namespace LabThings.Tests.Cli;

/// <summary>
/// The built <c>labthings</c> as a process of its own (<c>dotnet LabThings.Cli.dll …</c>, as the installed tool runs it):
/// exit codes reach the shell, and SIGINT (what Ctrl+C sends) during <c>invoke</c> cancels the invocation on the server.
/// </summary>
public sealed class CliProcessTests
{
    /// <summary>The tool's build output, copied next to the tests by the project reference.</summary>
    private static string Tool => RepositoryPaths.RequireFile(Path.Combine(AppContext.BaseDirectory, "LabThings.Cli.dll"), "the test project references tools/LabThings.Cli");

    [Fact]
    public async Task Sigint_DuringInvoke_CancelsTheInvocationOnTheServer_AndExits130()
    {
        await using var server = await RunningServer.StartExampleAsync();
        var counter = new Uri(server.BaseAddress, "counter/").AbsoluteUri;
        using var process = Process.Start(Processes.StartInfo(
            Processes.Dotnet, [Tool, "invoke", counter, "slowly_increase_counter", """{"increments": 60, "interval": 0.5}"""], AppContext.BaseDirectory))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            var invocation = await CliCommandTests.RunningInvocationAsync(server, "slowly_increase_counter");

            var kill = await Processes.RunAsync("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)], AppContext.BaseDirectory, timeout: TimeSpan.FromSeconds(10));
            kill.ExitCode.Should().Be(0, kill.ToString());
            using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await process.WaitForExitAsync(exited.Token);
            }

            process.ExitCode.Should().Be(ExitCodes.Cancelled, await output + await error);
            (await error).Should().Contain("interrupted: the invocation of 'slowly_increase_counter' was cancelled on the Thing.");
            (await output).Should().BeEmpty();
            (await CliCommandTests.StatusAsync(server, invocation)).Should().Be("cancelled");
            int.Parse(await server.Client.GetStringAsync("counter/counter"), CultureInfo.InvariantCulture).Should().BeLessThan(60, "the action stopped early");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task ExitCodesAndOutput_ReachTheShell()
    {
        await using var server = await RunningServer.StartExampleAsync();

        var list = await Processes.RunAsync(Processes.Dotnet, [Tool, "list", server.BaseAddress.AbsoluteUri], AppContext.BaseDirectory, timeout: TimeSpan.FromMinutes(1));
        var refused = await Processes.RunAsync(Processes.Dotnet, [Tool, "write", new Uri(server.BaseAddress, "light/").AbsoluteUri, "brightness", "101"], AppContext.BaseDirectory, timeout: TimeSpan.FromMinutes(1));

        list.ExitCode.Should().Be(ExitCodes.Success, list.ToString());
        list.Output.Should().Contain("counter").And.Contain(new Uri(server.BaseAddress, "counter/").AbsoluteUri);
        refused.ExitCode.Should().Be(ExitCodes.Refused, refused.ToString());
        refused.Error.Should().Contain("422").And.Contain("at most 100");
        CliRunner.StackFrame().IsMatch(refused.All).Should().BeFalse(refused.All);
    }
}
