using System.Text.Json.Nodes;
using LabThings.Tests.Support;

namespace LabThings.Tests.Server.Endpoints;

/// <summary>Action and invocation endpoints invoked in-process: every status they write is one their OpenAPI description lists.</summary>
public sealed class ActionEndpointTests : IAsyncLifetime
{
    private MappedThings _things = null!;

    public Task InitializeAsync()
    {
        _things = MappedThings.Create(lt => lt.AddThing<Worker>("worker"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _things.DisposeAsync();

    [Fact]
    public async Task Invoke_Is201WithTheInvocationAndItsLocation()
    {
        var response = await _things.InvokeAsync("POST", "/worker/add", """{"a": 2}""");

        response.Status.Should().Be(201);
        var invocation = JsonNode.Parse(response.Text)!;
        invocation["href"]!.GetValue<string>().Should().Be(response.Headers.Location.ToString()).And.StartWith("http://lab.example:5000/action_invocations/");
        invocation["action"]!.GetValue<string>().Should().Be("/worker/add");
        invocation["input"]!["a"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task InvokeAndWait_AnswersTheOutput()
    {
        var response = await _things.InvokeAsync("POST", "/worker/add/sync", """{"a": 2, "b": 3}""");

        response.Status.Should().Be(200);
        response.Text.Should().Be("5");
    }

    [Fact]
    public async Task InvokeAndWait_NoOutput_Is204()
    {
        var response = await _things.InvokeAsync("POST", "/worker/nothing/sync", body: null);

        response.Status.Should().Be(204);
    }

    [Fact]
    public async Task InvokeAndWait_MissingParameter_Is422NamingIt()
    {
        var response = await _things.InvokeAsync("POST", "/worker/add/sync", "{}");

        response.Status.Should().Be(422);
        JsonNode.Parse(response.Text)!["errors"]![0]!["rule"]!.GetValue<string>().Should().Be("required");
    }

    [Fact]
    public async Task InvokeAndWait_ActionFails_Is500WithItsMessage()
    {
        var response = await _things.InvokeAsync("POST", "/worker/refuse/sync", "{}");

        response.Status.Should().Be(500);
        JsonNode.Parse(response.Text)!["detail"]!.GetValue<string>().Should().Be("the stage is at its limit");
    }

    [Fact]
    public async Task InvokeAndWait_SlowerThanTheLimit_Is202WithTheInvocation()
    {
        await using var impatient = MappedThings.Create(lt => lt.AddThing<Worker>("worker"), options => options.SyncActionTimeout = TimeSpan.FromMilliseconds(200));

        var response = await impatient.InvokeAsync("POST", "/worker/wait/sync", """{"seconds": 30}""");

        response.Status.Should().Be(202);
        var id = JsonNode.Parse(response.Text)!["id"]!.GetValue<string>();
        (await impatient.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id(id))).Status.Should().Be(200);
    }

    [Fact]
    public async Task Invocation_GetOutputCancel_AndUnknownIds()
    {
        var started = JsonNode.Parse((await _things.InvokeAsync("POST", "/worker/add/sync", """{"a": 1}""")).Text);
        started.Should().NotBeNull();
        var list = JsonNode.Parse((await _things.InvokeAsync("GET", "/worker/add")).Text)!.AsArray();
        var id = list.Last()!["id"]!.GetValue<string>();

        (await _things.InvokeAsync("GET", "/action_invocations/{id}", routeValues: Id(id))).Status.Should().Be(200);
        var output = await _things.InvokeAsync("GET", "/action_invocations/{id}/output", routeValues: Id(id));
        output.Status.Should().Be(200);
        output.Text.Should().Be("2");
        (await _things.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id(id))).Status.Should().Be(409, "it has finished");
        (await _things.InvokeAsync("GET", "/action_invocations/{id}", routeValues: Id("nope"))).Status.Should().Be(404);
        (await _things.InvokeAsync("GET", "/action_invocations/{id}/output", routeValues: Id("nope"))).Status.Should().Be(404);
        (await _things.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id("nope"))).Status.Should().Be(404);
        (await _things.InvokeAsync("GET", "/blob/{id}", routeValues: Id("nope"))).Status.Should().Be(404);
    }

    [Fact]
    public async Task Output_BeforeCompletion_Is503()
    {
        var id = JsonNode.Parse((await _things.InvokeAsync("POST", "/worker/wait", """{"seconds": 30}""")).Text)!["id"]!.GetValue<string>();

        (await _things.InvokeAsync("GET", "/action_invocations/{id}/output", routeValues: Id(id))).Status.Should().Be(503);
        (await _things.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id(id))).Status.Should().Be(200);
    }

    [Fact]
    public async Task Invoke_BusyLockThatRefuses_Is409()
    {
        var first = JsonNode.Parse((await _things.InvokeAsync("POST", "/worker/exclusive", "{}")).Text)!["id"]!.GetValue<string>();
        try
        {
            (await Eventually.TrueAsync(
                async () => JsonNode.Parse((await _things.InvokeAsync("GET", "/action_invocations/{id}", routeValues: Id(first))).Text)!["status"]!.GetValue<string>() == "running",
                TimeSpan.FromSeconds(10))).Should().BeTrue("the first invocation holds the lock once it runs");

            var response = await _things.InvokeAsync("POST", "/worker/exclusive_or_refuse", "{}");

            response.Status.Should().Be(409);
        }
        finally
        {
            await _things.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id(first));
        }
    }

    [Fact]
    public async Task Invoke_PastTheUnfinishedLimits_Is429WithRetryAfter_AndAcceptedAgainOnceSomeFinish()
    {
        await using var limited = MappedThings.Create(
            lt => lt.AddThing<Worker>("worker"),
            options =>
            {
                options.MaxPendingInvocationsPerAction = 2;
                options.MaxPendingInvocations = 3;
            });
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add(JsonNode.Parse((await limited.InvokeAsync("POST", "/worker/wait", """{"seconds": 30}""")).Text)!["id"]!.GetValue<string>());
        }

        var perAction = await limited.InvokeAsync("POST", "/worker/wait", """{"seconds": 30}""");
        perAction.Status.Should().Be(429);
        perAction.Headers.RetryAfter.ToString().Should().Be("1");
        ids.Add(JsonNode.Parse((await limited.InvokeAsync("POST", "/worker/exclusive", "{}")).Text)!["id"]!.GetValue<string>());
        (await limited.InvokeAsync("POST", "/worker/add/sync", """{"a": 1}""")).Status.Should().Be(429, "the server holds 3 unfinished invocations, its limit");

        (await limited.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id(ids[0]))).Status.Should().Be(200);
        (await Eventually.TrueAsync(async () => (await limited.InvokeAsync("POST", "/worker/add/sync", """{"a": 1}""")).Status == 200))
            .Should().BeTrue("a finished invocation frees its place");
        foreach (var id in ids.Skip(1))
        {
            await limited.InvokeAsync("DELETE", "/action_invocations/{id}", routeValues: Id(id));
        }
    }

    [Fact]
    public async Task List_Paged_GivesTheAskedSliceAndALinkToTheNext()
    {
        for (var i = 0; i < 5; i++)
        {
            (await _things.InvokeAsync("POST", "/worker/add/sync", $$"""{"a": {{i}}}""")).Status.Should().Be(200);
        }

        var page = await _things.InvokeAsync("GET", "/worker/add", path: "/worker/add", query: "?offset=1&limit=2");

        JsonNode.Parse(page.Text)!.AsArray().Select(i => i!["input"]!["a"]!.GetValue<int>()).Should().Equal(1, 2);
        page.Headers.Link.ToString().Should().Be("</worker/add?offset=3&limit=2>; rel=\"next\"");
        var last = await _things.InvokeAsync("GET", "/worker/add", query: "?offset=4&limit=2");
        JsonNode.Parse(last.Text)!.AsArray().Should().HaveCount(1);
        last.Headers.Link.ToString().Should().BeEmpty("there is no next page");
        JsonNode.Parse((await _things.InvokeAsync("GET", "/action_invocations")).Text)!.AsArray().Should().HaveCount(5, "without a limit, the whole list");
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=-1")]
    [InlineData("?offset=x")]
    [InlineData("?limit=99999999999999")]
    public async Task List_BadPage_Is400(string query)
    {
        var response = await _things.InvokeAsync("GET", "/action_invocations", query: query);

        response.Status.Should().Be(400);
    }

    [Fact]
    public async Task Invoke_EndlessBody_IsRefusedWith413AfterReadingJustPastTheLimit()
    {
        var body = new EndlessStream();

        var response = await _things.InvokeAsync("POST", "/worker/add", requestBody: body);

        response.Status.Should().Be(413);
        body.BytesRead.Should().BeGreaterThan(4 * 1024 * 1024).And.BeLessThan((4 * 1024 * 1024) + (64 * 1024));
    }

    private static Dictionary<string, string> Id(string id) => new() { ["id"] = id };

    /// <summary>A request body that never ends (spaces), counting what is read.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)' ');
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
