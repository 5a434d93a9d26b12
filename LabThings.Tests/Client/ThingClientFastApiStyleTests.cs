using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using LabThings.Client;

namespace LabThings.Tests.Client;

/// <summary>
/// <see cref="ThingClient"/> against a TD in labthings-fastapi's shape, served by <see cref="FastApiStyleServer"/>:
/// relative hrefs without methods for properties, one POST form per action that answers 201 with an invocation to poll,
/// FastAPI's validation errors. Also the credentials for basic and bearer schemes.
/// </summary>
public sealed class ThingClientFastApiStyleTests
{
    [Fact]
    public async Task Properties_FastApiStyle_ReadWriteAndValidationErrors()
    {
        await using var server = await FastApiStyleServer.StartAsync();
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl);

        await stage.WritePropertyAsync("exposure", 0.25);
        (await stage.ReadPropertyAsync<double>("exposure")).Should().Be(0.25);
        (await stage.ReadPropertyAsync<string>("status")).Should().Be("idle");

        var refused = await stage.Invoking(s => s.WritePropertyAsync("exposure", "long")).Should().ThrowAsync<ThingProblemException>();
        refused.Which.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        refused.Which.Errors.Should().ContainSingle().Which.Should().Be(new ThingFieldError("body", "Input should be a valid number", "float_parsing"));
        (await stage.ReadPropertyAsync<double>("exposure")).Should().Be(0.25);
    }

    [Fact]
    public async Task InvokeAction_FastApiStyle_PollsTheInvocationToItsOutput()
    {
        await using var server = await FastApiStyleServer.StartAsync();
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl);

        (await stage.InvokeActionAsync<int>("move_slowly", new { steps = 2 })).Should().Be(20);
        (await stage.InvokeActionAsync<int>("move_slowly")).Should().Be(30, "no input sends {} and the action's default of 3 steps applies");
    }

    [Fact]
    public async Task InvokeAction_FastApiStyleBlobOutput_DownloadsTheRelativeLink()
    {
        await using var server = await FastApiStyleServer.StartAsync();
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl);

        var link = await stage.InvokeActionAsync("grab_image");
        var image = await stage.DownloadAsync(link);

        image.MediaType.Should().Be("image/png");
        image.Data.ToArray().Should().Equal(FastApiStyleServer.Png);
    }

    [Fact]
    public async Task InvokeAction_FastApiStyleInvocationEndsInError_ThrowsActionException()
    {
        await using var server = await FastApiStyleServer.StartAsync();
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl);

        var failed = await stage.Invoking(s => s.InvokeActionAsync("home")).Should().ThrowAsync<ThingActionException>();

        failed.Which.Action.Should().Be("home");
        failed.Which.InvocationStatus.Should().Be("error");
        failed.Which.Invocation!.AbsoluteUri.Should().Contain("/action_invocations/");
    }

    [Fact]
    public async Task Observe_FastApiStyleWithoutObserveForms_ThrowsNotSupported()
    {
        await using var server = await FastApiStyleServer.StartAsync();
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl);

        var act = () => stage.ObservePropertyAsync("exposure").GetAsyncEnumerator().MoveNextAsync().AsTask();

        (await act.Should().ThrowAsync<NotSupportedException>()).WithMessage("*exposure*observeproperty*");
    }

    [Theory]
    [InlineData("basic", "basic", "Basic dXNlcjpzM2NyZXQ=")]
    [InlineData("bearer", "bearer", "Bearer t0ken")]
    [InlineData("nosec", "basic", "")]
    [InlineData("basic", "bearer", "")]
    public async Task Credentials_SentOnlyWhenTheTdNamesTheirScheme(string tdScheme, string credentialScheme, string expectedHeader)
    {
        await using var server = await FastApiStyleServer.StartAsync(new JsonObject { ["sc"] = new JsonObject { ["scheme"] = tdScheme } }, "sc");
        var credentials = credentialScheme == "basic" ? ThingCredentials.Basic("user", "s3cret") : ThingCredentials.Bearer("t0ken");
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl, options: new ThingClientOptions { Credentials = credentials });
        server.Authorizations.Clear();

        await stage.ReadPropertyAsync("exposure");
        await stage.WritePropertyAsync("exposure", 1.5);
        await stage.InvokeActionAsync("move_slowly", new { steps = 1 });

        server.Authorizations.Should().HaveCountGreaterThan(3).And.OnlyContain(h => h == expectedHeader);
    }

    [Fact]
    public async Task Credentials_ComboOfBasic_SendsTheBasicHeader()
    {
        var definitions = new JsonObject
        {
            ["basic_sc"] = new JsonObject { ["scheme"] = "basic" },
            ["apikey_sc"] = new JsonObject { ["scheme"] = "apikey" },
            ["either"] = new JsonObject { ["scheme"] = "combo", ["oneOf"] = new JsonArray("apikey_sc", "basic_sc") },
        };
        await using var server = await FastApiStyleServer.StartAsync(definitions, "either");
        using var stage = await ThingClient.FromUrlAsync(server.ThingUrl, options: new ThingClientOptions { Credentials = ThingCredentials.Basic("user", "s3cret") });
        server.Authorizations.Clear();

        await stage.ReadPropertyAsync("status");

        server.Authorizations.Should().Equal("Basic dXNlcjpzM2NyZXQ=");
    }

    [Fact]
    public async Task FromDescription_RelativeHrefsWithoutBase_NeedTheDocumentUrl()
    {
        using var thing = ThingClient.FromDescription("""{"title": "t", "properties": {"p": {"type": "integer", "forms": [{"href": "p"}]}}}""");

        var act = () => thing.ReadPropertyAsync("p");

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*relative*");
    }

    [Fact]
    public void FromDescription_NotAnObject_ThrowsArgument()
    {
        var act = () => ThingClient.FromDescription("[1, 2]");

        act.Should().Throw<ArgumentException>().WithMessage("*JSON object*");
    }
}
