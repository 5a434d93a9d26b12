using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>Actions over real Kestrel: invoke, poll, output, validation, cancellation, errors, locks, blobs.</summary>
public sealed class ActionHttpTests : IAsyncLifetime
{
    private static readonly string[] Finished = ["completed", "cancelled", "error"];
    private RunningServer _server = null!;

    private HttpClient Client => _server.Client;

    private Worker Worker => _server.Services.GetRequiredService<Worker>();

    public async Task InitializeAsync()
        => _server = await RunningServer.StartAsync(b =>
        {
            b.Services.AddLabThings().AddThing<Worker>("worker");
            b.Services.Configure<LabThingsOptions>(o => o.SyncActionTimeout = TimeSpan.FromSeconds(2));
        });

    public async Task DisposeAsync()
    {
        Worker.Gate.TrySetResult();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Post_StartsAnInvocationThatCompletesWithTheOutput()
    {
        using var response = await PostAsync("worker/add", """{"a": 2.5, "b": 4}""");

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var invocation = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        response.Headers.Location!.ToString().Should().Be(invocation["href"]!.GetValue<string>());
        invocation["action"]!.GetValue<string>().Should().Be("/worker/add");
        invocation["input"]!.ToJsonString().Should().Be("""{"a":2.5,"b":4}""");
        new[] { "pending", "running", "completed" }.Should().Contain(invocation["status"]!.GetValue<string>());
        invocation["links"]!.AsArray().Select(l => l!["rel"]!.GetValue<string>()).Should().Equal("self", "output");

        var done = await PollAsync(invocation);
        done["status"]!.GetValue<string>().Should().Be("completed");
        done["output"]!.GetValue<double>().Should().Be(6.5);
        done["timeStarted"].Should().NotBeNull();
        DateTimeOffset.Parse(done["timeCompleted"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeOnOrAfter(DateTimeOffset.Parse(done["timeRequested"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        (await Client.GetStringAsync(done["links"]![1]!["href"]!.GetValue<string>())).Should().Be("6.5");
    }

    [Fact]
    public async Task Post_OptionalParametersAndRecords_AreBoundFromTheInput()
    {
        var done = await InvokeAndPollAsync("worker/echo", """{"position": {"x": 1, "y": 2}, "mode": "Accurate", "tags": [1, 2, 3]}""");
        done["output"]!.ToJsonString().Should().Be("""{"x":1,"y":2,"label":"Accurate:3"}""");

        var defaults = await InvokeAndPollAsync("worker/echo", """{"position": {"x": 0, "y": 0}}""");
        defaults["output"]!["label"]!.GetValue<string>().Should().Be("Fast:0");

        var add = await InvokeAndPollAsync("worker/add", """{"a": 1}""");
        add["output"]!.GetValue<double>().Should().Be(2);
    }

    [Fact]
    public async Task Post_NoBodyForAnActionWithoutParameters_Works()
    {
        using var response = await Client.PostAsync("worker/nothing", null);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        (await PollAsync(JsonNode.Parse(await response.Content.ReadAsStringAsync())!))["status"]!.GetValue<string>().Should().Be("completed");
    }

    [Theory]
    [InlineData("worker/add", """{}""", "/a", "required")]
    [InlineData("worker/add", """{"a": "two"}""", "/a", "type")]
    [InlineData("worker/add", """{"a": 1, "c": 3}""", "/c", "additionalProperties")]
    [InlineData("worker/add", """[1, 2]""", "", "type")]
    [InlineData("worker/echo", """{"position": {"x": 1}}""", "/position/y", "required")]
    [InlineData("worker/echo", """{"position": {"x": 1, "y": 2}, "mode": "Sideways"}""", "/mode", "enum")]
    [InlineData("worker/echo", """{"position": {"x": 1, "y": 2}, "tags": [1, "x"]}""", "/tags/1", "type")]
    public async Task Post_InvalidInput_Is422NamingEachFieldAndStartsNothing(string path, string body, string field, string rule)
    {
        using var response = await PostAsync(path, body);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsArray();
        errors.Select(e => (e!["field"]!.GetValue<string>(), e["rule"]!.GetValue<string>())).Should().Contain((field, rule));
        JsonNode.Parse(await Client.GetStringAsync("action_invocations"))!.AsArray().Should().BeEmpty("no invocation was started");
    }

    [Fact]
    public async Task Post_MalformedJson_Is400()
    {
        using var response = await PostAsync("worker/add", "{\"a\": ");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Delete_RunningInvocation_EndsCancelledWithinOneSecondAndItsCleanupRan()
    {
        var invocation = await InvokeAsync("worker/wait", """{"seconds": 60}""");
        (await Eventually.TrueAsync(async () => (await GetAsync(invocation))["status"]!.GetValue<string>() == "running")).Should().BeTrue();

        var cancelledAt = DateTime.UtcNow;
        using var delete = await Client.DeleteAsync(invocation["href"]!.GetValue<string>());

        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        var done = await PollAsync(invocation, TimeSpan.FromSeconds(1));
        (DateTime.UtcNow - cancelledAt).Should().BeLessThan(TimeSpan.FromSeconds(1.5));
        done["status"]!.GetValue<string>().Should().Be("cancelled");
        Worker.Cleanups.Should().Be(1);

        using var again = await Client.DeleteAsync(invocation["href"]!.GetValue<string>());
        again.StatusCode.Should().Be(HttpStatusCode.Conflict, "a finished invocation cannot be cancelled");
        again.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var output = await Client.GetAsync(invocation["links"]![1]!["href"]!.GetValue<string>());
        output.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Delete_CompletedInvocation_IsRefused()
    {
        var done = await InvokeAndPollAsync("worker/add", """{"a": 1}""");

        using var delete = await Client.DeleteAsync(done["href"]!.GetValue<string>());

        delete.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await GetAsync(done))["status"]!.GetValue<string>().Should().Be("completed");
    }

    [Fact]
    public async Task ActionThatThrows_EndsInErrorWithTheMessageButNoStackTraceAndTheServerKeepsServing()
    {
        var crashed = await InvokeAndPollAsync("worker/crash", "{}");
        crashed["status"]!.GetValue<string>().Should().Be("error");
        crashed["error"]!["detail"]!.GetValue<string>().Should().Contain("the motor driver is not responding");
        crashed["error"]!["status"]!.GetValue<int>().Should().Be(500);
        crashed.ToJsonString().Should().NotContain(" at LabThings", "the stack trace stays in the server's log");
        crashed["log"]!.AsArray().Should().Contain(r => r!["levelname"]!.GetValue<string>() == "ERROR" && r["exception_type"]!.GetValue<string>() == "InvalidOperationException");

        var refused = await InvokeAndPollAsync("worker/refuse", "{}");
        refused["status"]!.GetValue<string>().Should().Be("error");
        refused["error"]!["detail"]!.GetValue<string>().Should().Be("the stage is at its limit");

        (await InvokeAndPollAsync("worker/add", """{"a": 1}"""))["status"]!.GetValue<string>().Should().Be("completed");
    }

    [Fact]
    public async Task LogAndProgress_AppearInTheInvocationWhileItRuns()
    {
        var invocation = await InvokeAsync("worker/report", "{}");

        (await Eventually.TrueAsync(async () => (await GetAsync(invocation))["progress"]?.GetValue<double>() == 0.5)).Should().BeTrue();
        var running = await GetAsync(invocation);
        running["status"]!.GetValue<string>().Should().Be("running");
        running["log"]!.AsArray().Select(r => (r!["levelname"]!.GetValue<string>(), r["message"]!.GetValue<string>()))
            .Should().Equal(("INFO", "a quarter done"), ("WARNING", "halfway, with a warning"));

        Worker.Gate.SetResult();
        var done = await PollAsync(invocation);
        done["output"]!.GetValue<string>().Should().Be("same thing", "ActionContext gives in-process access to Things");
        done["progress"]!.GetValue<double>().Should().Be(1);
    }

    [Fact]
    public async Task Blob_OutputDownloadsWithItsMediaTypeAndBytesAndCanBePassedBackAsInput()
    {
        var done = await InvokeAndPollAsync("worker/make_blob", """{"size": 300000}""");

        var output = done["output"]!;
        output["media_type"]!.GetValue<string>().Should().Be("application/x-test");
        var href = output["href"]!.GetValue<string>();
        href.Should().StartWith(_server.BaseAddress.AbsoluteUri + "blob/");
        using var download = await Client.GetAsync(href);
        download.Content.Headers.ContentType!.MediaType.Should().Be("application/x-test");
        var bytes = await download.Content.ReadAsByteArrayAsync();
        bytes.Should().Equal((await Worker.LastMadeBlob!.ReadAllBytesAsync()).ToArray());
        using var viaOutput = await Client.GetAsync(done["links"]![1]!["href"]!.GetValue<string>());
        viaOutput.Content.Headers.ContentType!.MediaType.Should().Be("application/x-test");
        (await viaOutput.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);

        var taken = await InvokeAndPollAsync("worker/take_blob", new JsonObject { ["data"] = output.DeepClone() }.ToJsonString());
        taken["output"]!.GetValue<long>().Should().Be(300000);
        Worker.LastReceivedBlob.Should().BeSameAs(Worker.LastMadeBlob, "a blob href resolves to the server's blob without copying");

        using var unknown = await PostAsync("worker/take_blob", """{"data": {"href": "/blob/00000000-0000-0000-0000-000000000000"}}""");
        unknown.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Lock_SecondInvocationWaitsUntilTheFirstFinishes()
    {
        var first = await InvokeAsync("worker/exclusive", "{}");
        var second = await InvokeAsync("worker/exclusive", "{}");

        (await Eventually.TrueAsync(async () => (await GetAsync(first))["status"]!.GetValue<string>() == "running")).Should().BeTrue();
        await Task.Delay(200);
        (await GetAsync(second))["status"]!.GetValue<string>().Should().Be("pending", "it waits for the lock");
        using var refused = await PostAsync("worker/exclusive_or_refuse", "{}");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict, "this action refuses instead of waiting");

        Worker.Gate.SetResult();
        (await PollAsync(first))["status"]!.GetValue<string>().Should().Be("completed");
        (await PollAsync(second))["status"]!.GetValue<string>().Should().Be("completed");
        Worker.MaxConcurrentExclusive.Should().Be(1);
        (await InvokeAndPollAsync("worker/exclusive_or_refuse", "{}"))["status"]!.GetValue<string>().Should().Be("completed");
    }

    [Fact]
    public async Task FiftyConcurrentInvocations_AllComplete()
    {
        var started = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => InvokeAsync("worker/add", $$"""{"a": {{i}}, "b": 0.5}""")));

        var done = await Task.WhenAll(started.Select(i => PollAsync(i)));

        done.Select(d => d["status"]!.GetValue<string>()).Should().AllBe("completed");
        done.Select(d => d["output"]!.GetValue<double>()).Should().BeEquivalentTo(Enumerable.Range(0, 50).Select(i => i + 0.5));
        JsonNode.Parse(await Client.GetStringAsync("worker/add"))!.AsArray().Should().HaveCount(50);
    }

    [Fact]
    public async Task Sync_AnswersWithTheOutputItselfOrTheProblem()
    {
        using var add = await PostAsync("worker/add/sync", """{"a": 40, "b": 2}""");
        add.StatusCode.Should().Be(HttpStatusCode.OK);
        (await add.Content.ReadAsStringAsync()).Should().Be("42");

        using var nothing = await PostAsync("worker/nothing/sync", "{}");
        nothing.StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var crash = await PostAsync("worker/crash/sync", "{}");
        crash.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await crash.Content.ReadAsStringAsync()).Should().Contain("the motor driver is not responding");

        using var blob = await PostAsync("worker/make_blob/sync", """{"size": 10}""");
        blob.Content.Headers.ContentType!.MediaType.Should().Be("application/x-test");
        (await blob.Content.ReadAsByteArrayAsync()).Should().HaveCount(10);
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json, */*;q=0.8", true)]
    [InlineData("application/x-test", false)]
    [InlineData("application/json;q=0.5, application/x-test", false)]
    [InlineData("application/*", false)]
    [InlineData("*/*", false)]
    [InlineData(null, false)]
    public async Task Sync_BlobOutput_IsItsLinkWhenTheClientPrefersJsonAndItsBytesOtherwise(string? accept, bool link)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "worker/make_blob/sync") { Content = new StringContent("""{"size": 10}""", Encoding.UTF8, "application/json") };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        if (!link)
        {
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-test");
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal((await Worker.LastMadeBlob!.ReadAllBytesAsync()).ToArray());
            return;
        }

        // The link is what the TD's output schema and the invocation's output say, and it downloads the same bytes.
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var output = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        output["media_type"]!.GetValue<string>().Should().Be("application/x-test");
        var href = output["href"]!.GetValue<string>();
        href.Should().StartWith(_server.BaseAddress.AbsoluteUri + "blob/");
        (await Client.GetByteArrayAsync(href)).Should().Equal((await Worker.LastMadeBlob!.ReadAllBytesAsync()).ToArray());
        var invocations = JsonNode.Parse(await Client.GetStringAsync("worker/make_blob"))!.AsArray();
        invocations[^1]!["output"]!["href"]!.GetValue<string>().Should().Be(href);
    }

    [Fact]
    public async Task Sync_ActionLongerThanTheLimit_Answers202WithTheInvocationToPoll()
    {
        using var response = await PostAsync("worker/wait/sync", """{"seconds": 30}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var invocation = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        invocation["status"]!.GetValue<string>().Should().Be("running");
        using var cancel = await Client.DeleteAsync(invocation["href"]!.GetValue<string>());
        cancel.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnknownInvocation_Is404Problem()
    {
        using var response = await Client.GetAsync("action_invocations/5d9ee3c2-0000-0000-0000-000000000000");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Td_DescribesActionsWithSchemasAndFormsAndIsValid()
    {
        var json = await Client.GetStringAsync("worker/");
        (await TdSchema.ValidateAsync(json)).Should().BeEmpty();
        json.Should().NotContain("$ref");
        var add = JsonNode.Parse(json)!["actions"]!["add"]!;

        add["description"]!.GetValue<string>().Should().Be("Adds two numbers");
        add["input"]!["properties"]!["a"]!["type"]!.GetValue<string>().Should().Be("number");
        add["input"]!["required"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("a");
        add["input"]!["properties"]!["b"]!["default"]!.GetValue<double>().Should().Be(1);
        add["output"]!["type"]!.GetValue<string>().Should().Be("number");
        var ops = add["forms"]!.AsArray().Select(f => (f!["op"]![0]!.GetValue<string>(), f["href"]!.GetValue<string>())).ToList();
        ops.Should().Equal(("invokeaction", "add/sync"), ("invokeaction", "add"), ("queryaction", "../action_invocations/{id}"), ("cancelaction", "../action_invocations/{id}"));
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json)
        => Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonNode> InvokeAsync(string path, string json)
    {
        using var response = await PostAsync(path, json);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonNode> InvokeAndPollAsync(string path, string json) => await PollAsync(await InvokeAsync(path, json));

    private async Task<JsonNode> GetAsync(JsonNode invocation) => JsonNode.Parse(await Client.GetStringAsync(invocation["href"]!.GetValue<string>()))!;

    private async Task<JsonNode> PollAsync(JsonNode invocation, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var current = await GetAsync(invocation);
            if (Finished.Contains(current["status"]!.GetValue<string>()))
            {
                return current;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the invocation should finish in time");
            await Task.Delay(10);
        }
    }
}
