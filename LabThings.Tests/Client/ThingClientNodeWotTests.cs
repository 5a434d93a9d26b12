using System.Collections.Concurrent;
using System.Text.Json;
using LabThings.Client;
using LabThings.Tests.Support;
using Xunit.Abstractions;
using static LabThings.Tests.Client.ClientTestHelpers;

namespace LabThings.Tests.Client;

/// <summary>
/// <see cref="ThingClient"/> against a Thing that LabThings did not describe: an Eclipse node-wot servient
/// (LabThings.Tests/Interop/wot-servient.mjs) on 127.0.0.1, whose TD has absolute hrefs, no <c>htv:methodName</c> on
/// most forms, a JSON and a CBOR form for each operation, and long polling for observation and events.
/// </summary>
public sealed class ThingClientNodeWotTests(ITestOutputHelper output) : IAsyncLifetime
{
    private NodeWotServient _servient = null!;
    private Uri _td = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        _servient = await NodeWotServient.StartAsync(output);
        _td = _servient.Td;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _servient.DisposeAsync();
    }

    [Fact]
    public async Task FromUrlAsync_NodeWotThing_ListsItsAffordances()
    {
        using var thing = await ThingClient.FromUrlAsync(_td, _http);

        thing.Title.Should().Be("interop-thing");
        thing.Properties.Should().Equal("count", "temperature");
        thing.Actions.Should().Equal("add", "heat");
        thing.Events.Should().Equal("alarm");
    }

    [Fact]
    public async Task WriteThenReadProperty_NodeWot_ReadsBackTheValue()
    {
        using var thing = await ThingClient.FromUrlAsync(_td, _http);

        await thing.WritePropertyAsync("count", 42);

        (await thing.ReadPropertyAsync<int>("count")).Should().Be(42);
        (await thing.ReadPropertyAsync<double>("temperature")).Should().BeGreaterThanOrEqualTo(20);
    }

    [Fact]
    public async Task InvokeAction_NodeWot_ReturnsTheOutput()
    {
        using var thing = await ThingClient.FromUrlAsync(_td, _http);

        (await thing.InvokeActionAsync<double>("add", new { a = 2, b = 3.5 })).Should().Be(5.5);
    }

    [Fact]
    public async Task ObserveProperty_NodeWotLongPolling_SeesTheNewValues()
    {
        using var thing = await ThingClient.FromUrlAsync(_td, _http);
        var returned = new ConcurrentBag<double>();

        var seen = await CollectAsync(
            token => thing.ObservePropertyAsync<double>("temperature", token),
            async () => returned.Add(await thing.InvokeActionAsync<double>("heat", 1)),
            () => Task.CompletedTask,
            values => values.Count >= 1);

        seen.Should().NotBeEmpty().And.OnlyContain(t => returned.Contains(t), "every observed temperature is one that a heat invocation produced");
    }

    [Fact]
    public async Task SubscribeEvent_NodeWotLongPolling_DeliversTheEventData()
    {
        using var thing = await ThingClient.FromUrlAsync(_td, _http);
        var returned = new ConcurrentBag<double>();

        var seen = await CollectAsync(
            token => thing.SubscribeEventAsync("alarm", token),
            async () => returned.Add(await thing.InvokeActionAsync<double>("heat", 2)),
            () => Task.CompletedTask,
            events => events.Count >= 1);

        seen.Should().NotBeEmpty();
        seen.Select(e => e.GetProperty("level").GetDouble()).Should().OnlyContain(level => returned.Contains(level));
    }
}
