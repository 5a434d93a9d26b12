using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Integration;

/// <summary>
/// Issue 11: an action's fire-and-forget work cannot take the server down, and the Thing's own Logger writes into
/// the invocation's log, in the action's helpers and after its awaits too.
/// </summary>
public sealed class ActionSafetyTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    private HttpClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(b => b.Services.AddLabThings().AddThing<Fragile>("fragile"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AsyncVoidHelperThatThrows_IsLoggedInTheInvocation_AndTheServerKeepsServing()
    {
        // Without the action's synchronization context, .NET would raise this exception on the thread pool and end
        // the test process (and every test in it) instead of failing one assertion.
        var invocation = await InvokeAsync("fragile/fire_and_forget", "{}");

        // The helper's exception may be logged a moment before the action finishes (or after): wait for both.
        var logged = await Eventually.TrueAsync(async () => await GetAsync(invocation) is var state
            && state["status"]!.GetValue<string>() is not ("pending" or "running")
            && Errors(state).Any(m => m.Contains("the helper's motor stalled", StringComparison.Ordinal)));

        logged.Should().BeTrue("the escaped exception goes to the invocation's log");
        var done = await GetAsync(invocation);
        done["status"]!.GetValue<string>().Should().Be("completed", "the action itself returned normally");
        using var again = await Client.GetAsync(new Uri("fragile/", UriKind.Relative));
        again.StatusCode.Should().Be(HttpStatusCode.OK, "the server is still running");
    }

    [Fact]
    public async Task ThingLogger_InsideAnActionAndItsNestedCalls_WritesToTheInvocationLog()
    {
        var invocation = await InvokeAsync("fragile/move", """{"target": 2.5}""");

        (await Eventually.TrueAsync(async () => (await GetAsync(invocation))["status"]!.GetValue<string>() == "completed")).Should().BeTrue();
        var log = (await GetAsync(invocation))["log"]!.AsArray()
            .Select(r => (r!["levelname"]!.GetValue<string>(), r["message"]!.GetValue<string>()));
        log.Should().Equal(("INFO", "moving to 2.5"), ("WARNING", "step 1 of 2 skipped"), ("INFO", "arrived"));
    }

    [Fact]
    public async Task ThingLogger_OfAnotherInvocation_StaysInItsOwnLog()
    {
        var first = await InvokeAsync("fragile/move", """{"target": 1}""");
        var second = await InvokeAsync("fragile/move", """{"target": 2}""");

        foreach (var (invocation, target) in new[] { (first, "1"), (second, "2") })
        {
            (await Eventually.TrueAsync(async () => (await GetAsync(invocation))["status"]!.GetValue<string>() == "completed")).Should().BeTrue();
            (await GetAsync(invocation))["log"]!.AsArray().Select(r => r!["message"]!.GetValue<string>())
                .Should().Equal($"moving to {target}", "step 1 of 2 skipped", "arrived");
        }
    }

    private static IEnumerable<string> Errors(JsonNode invocation)
        => invocation["log"]!.AsArray().Where(r => r!["levelname"]!.GetValue<string>() == "ERROR").Select(r => r!["message"]!.GetValue<string>());

    private async Task<JsonNode> InvokeAsync(string path, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(new Uri(path, UriKind.Relative), content);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private async Task<JsonNode> GetAsync(JsonNode invocation)
        => (await Client.GetFromJsonAsync<JsonNode>(new Uri(Client.BaseAddress!, invocation["href"]!.GetValue<string>())))!;

    public sealed class Fragile : Thing
    {
        [ThingAction]
        public async Task<int> FireAndForget()
        {
            Explode();
            await Task.Delay(10);
            return 1;
        }

        [ThingAction]
        public async Task MoveAsync(double target)
        {
            if (Logger.IsEnabled(LogLevel.Information))
            {
                Logger.LogInformation("moving to {Target}", target);
            }

            await StepAsync(step: 1);
            Logger.LogInformation("arrived");
        }

        private async Task StepAsync(int step)
        {
            await Task.Yield();
            await Task.Run(() => Logger.LogWarning("step {Step} of 2 skipped", step));
        }

#pragma warning disable VSTHRD100 // Deliberately async void: the mistake under test.
        private static async void Explode()
        {
            await Task.Yield();
            throw new InvalidOperationException("the helper's motor stalled");
        }
#pragma warning restore VSTHRD100
    }
}
