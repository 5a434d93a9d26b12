using System.Collections.Concurrent;
using LabThings.Server;
using LabThings.Server.Hosting;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Server;

/// <summary>After a burst of clients has left, the server gives the memory their connections used back (issue 14).</summary>
/// <remarks>
/// Alone (<see cref="MemoryAfterLoadRunsAlone"/>): the collection it triggers is of the whole test process, and would
/// pause the timing-sensitive tests of other classes running beside it.
/// </remarks>
[Collection(MemoryAfterLoadRunsAlone.Name)]
public sealed class MemoryAfterLoadTests
{
    [Fact]
    public void A_burst_that_has_left_is_reported_once_after_two_quiet_ticks()
    {
        var load = new RequestLoad();
        Enter(load, 40);
        Exit(load, 35);

        Ticks(load, 4).Should().Equal(false, true, false, false);
    }

    [Fact]
    public void Fewer_than_the_minimum_at_once_is_not_a_burst()
    {
        var load = new RequestLoad();
        Enter(load, RequestLoad.MinimumPeak - 1);
        Exit(load, RequestLoad.MinimumPeak - 1);

        Ticks(load, 5).Should().NotContain(true);
    }

    [Fact]
    public void While_more_than_a_quarter_of_the_peak_remain_the_burst_has_not_ended()
    {
        var load = new RequestLoad();
        Enter(load, 40);
        Exit(load, 29);

        Ticks(load, 3).Should().NotContain(true, "11 of 40 are still in progress");
        Exit(load, 1);
        Ticks(load, 2).Should().Equal(false, true);
    }

    [Fact]
    public void Clients_coming_back_restart_the_quiet_wait()
    {
        var load = new RequestLoad();
        Enter(load, 40);
        Exit(load, 35);
        Ticks(load, 1).Should().Equal(false);

        Enter(load, 20);
        Ticks(load, 1).Should().Equal(false);
        Exit(load, 20);

        Ticks(load, 2).Should().Equal(false, true);
    }

    [Fact]
    public void A_second_burst_is_reported_again()
    {
        var load = new RequestLoad();
        Enter(load, 40);
        Exit(load, 40);
        Ticks(load, 2).Should().Equal(false, true);

        Enter(load, 50);
        Exit(load, 45);

        Ticks(load, 3).Should().Equal(false, true, false);
    }

    [Fact]
    public async Task Over_Kestrel_the_server_returns_memory_once_forty_stream_viewers_have_left()
    {
        var logs = new LogLines();
        await using var server = await RunningServer.StartAsync(b =>
        {
            b.Logging.AddProvider(logs);
            b.Logging.AddFilter<LogLines>(typeof(MemoryAfterLoad).FullName, LogLevel.Debug);
            b.Services.AddLabThings(o => o.ReturnMemoryAfterLoad = true).AddThing<ManualCamera>("camera");
        });
        server.Services.GetRequiredService<ManualCamera>().Stream.AddFrame(ManualCamera.FakeFrame(1));
        var load = server.Services.GetRequiredService<RequestLoad>();

        var viewers = await OpenViewersAsync(server, 40);
        load.Current.Should().BeGreaterThanOrEqualTo(40, "each viewer is a request in progress");
        logs.Returned.Should().BeEmpty("the viewers are still watching");
        foreach (var viewer in viewers)
        {
            viewer.Dispose();
        }

        (await Eventually.TrueAsync(() => logs.Returned.Any(l => l.StartsWith("Returned memory after a burst of 4", StringComparison.Ordinal)), TimeSpan.FromSeconds(20)))
            .Should().BeTrue($"the viewers have left (requests in progress now: {load.Current})");
        logs.Returned.Should().ContainSingle("one burst is one collection");
    }

    [Fact]
    public async Task Switched_off_the_server_does_not_count_requests()
    {
        await using var server = await RunningServer.StartAsync(b => b.Services.AddLabThings(o => o.ReturnMemoryAfterLoad = false).AddThing<ManualCamera>("camera"));
        server.Services.GetRequiredService<ManualCamera>().Stream.AddFrame(ManualCamera.FakeFrame(1));

        var viewers = await OpenViewersAsync(server, 40);
        try
        {
            server.Services.GetRequiredService<RequestLoad>().Peak.Should().Be(0);
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                viewer.Dispose();
            }
        }
    }

    private static async Task<List<HttpResponseMessage>> OpenViewersAsync(RunningServer server, int count)
        => [.. await Task.WhenAll(Enumerable.Range(0, count).Select(_ => server.Client.GetAsync("camera/stream", HttpCompletionOption.ResponseHeadersRead)))];

    private static void Enter(RequestLoad load, int count)
    {
        for (var i = 0; i < count; i++)
        {
            load.Enter();
        }
    }

    private static void Exit(RequestLoad load, int count)
    {
        for (var i = 0; i < count; i++)
        {
            load.Exit();
        }
    }

    private static List<bool> Ticks(RequestLoad load, int count) => [.. Enumerable.Range(0, count).Select(_ => load.BurstEnded())];

    /// <summary>The messages logged through it (warnings from anywhere, and the memory return's debug lines).</summary>
    private sealed class LogLines : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Returned => _lines.Where(l => l.StartsWith("Returned memory", StringComparison.Ordinal));

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => _lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}

/// <summary>Runs <see cref="MemoryAfterLoadTests"/> when no other test runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryAfterLoadRunsAlone
{
    public const string Name = "Memory after load (alone)";
}
