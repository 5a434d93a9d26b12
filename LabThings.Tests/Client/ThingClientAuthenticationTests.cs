using System.Net;
using System.Text.Json;
using LabThings.Client;
using LabThings.Tests.Integration;
using LabThings.Tests.Support;
using static LabThings.Tests.Client.ClientTestHelpers;

namespace LabThings.Tests.Client;

/// <summary>
/// <see cref="ThingClient"/> against the example server with authentication configured (issue 10): the TD names the
/// schemes, the client sends its credentials where the TD asks for them, and refusals come back as problem exceptions.
/// </summary>
public sealed class ThingClientAuthenticationTests
{
    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Fact]
    public async Task Basic_WithTheTdScheme_ReadsWritesObservesAndInvokes()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        var options = new ThingClientOptions { Credentials = ThingCredentials.Basic("alice", "alice-secret"), SerializerOptions = SnakeCase };
        using var light = await ThingClient.FromUrlAsync(new Uri(server.BaseAddress, "light/"), server.Client, options);
        using var counter = await ThingClient.FromUrlAsync(new Uri(server.BaseAddress, "counter/"), server.Client, options);

        await light.WritePropertyAsync("brightness", 64);
        (await light.ReadPropertyAsync<int>("brightness")).Should().Be(64);
        (await counter.InvokeActionAsync<int>("increment_counter")).Should().Be(1);
        var primer = 0;
        var seen = await CollectAsync(
            token => light.ObservePropertyAsync<int>("brightness", token),
            () => light.WritePropertyAsync("brightness", ++primer % 10),
            () => light.WritePropertyAsync("brightness", 77),
            values => values.Contains(77));
        seen.Should().Contain(77);
    }

    [Theory]
    [InlineData("longpoll", "sse")]
    [InlineData("longpoll", "webthingprotocol")]
    [InlineData("sse", "webthingprotocol")]
    public async Task Basic_ObservationOverEachFormKind_SendsTheCredentials(string removed, string alsoRemoved)
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        var options = new ThingClientOptions { Credentials = ThingCredentials.Basic("reader", "reader-secret"), SerializerOptions = SnakeCase };
        var writer = new ThingClientOptions { Credentials = ThingCredentials.Basic("alice", "alice-secret") };
        using var discovered = await ThingClient.FromUrlAsync(new Uri(server.BaseAddress, "light/"), server.Client, options);
        var td = System.Text.Json.Nodes.JsonNode.Parse(Without(discovered, removed))!;
        using var reduced = ThingClient.FromDescription(td.ToJsonString(), new Uri(server.BaseAddress, "light/"), server.Client, options);
        using var light = ThingClient.FromDescription(Without(reduced, alsoRemoved), new Uri(server.BaseAddress, "light/"), server.Client, options);
        using var admin = await ThingClient.FromUrlAsync(new Uri(server.BaseAddress, "light/"), server.Client, writer);
        var primer = 0;

        var seen = await CollectAsync(
            token => light.ObservePropertyAsync<int>("brightness", token),
            () => admin.WritePropertyAsync("brightness", ++primer % 10),
            () => admin.WritePropertyAsync("brightness", 88),
            values => values.Contains(88));

        seen.Should().Contain(88);
    }

    [Fact]
    public async Task Bearer_TokenWithScope_ReadsAndIsRefusedWhatItsScopeLacks()
    {
        await using var server = await AuthenticationTests.StartAsync(new Dictionary<string, string?> { ["LabThings:Security:Bearer:SigningKey"] = AuthenticationTests.SigningKey });
        var options = new ThingClientOptions { Credentials = ThingCredentials.Bearer(AuthenticationTests.Token("read")) };
        using var light = await ThingClient.FromUrlAsync(new Uri(server.BaseAddress, "light/"), server.Client, options);

        (await light.ReadPropertyAsync<int>("brightness")).Should().BeInRange(0, 100);
        var refused = await light.Invoking(l => l.WritePropertyAsync("brightness", 10)).Should().ThrowAsync<ThingProblemException>();
        refused.Which.Status.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task NoCredentials_TdIsOpenButOperationsAre401Problems()
    {
        await using var server = await AuthenticationTests.StartAsync(AuthenticationTests.BasicUsers);
        using var light = await ThingClient.FromUrlAsync(new Uri(server.BaseAddress, "light/"), server.Client);

        var refused = await light.Invoking(l => l.ReadPropertyAsync("brightness")).Should().ThrowAsync<ThingProblemException>();

        refused.Which.Status.Should().Be(HttpStatusCode.Unauthorized);
    }
}
