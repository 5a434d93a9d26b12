using System.Net;
using System.Net.Sockets;
using LabThings.Server;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Integration;

/// <summary>
/// <see cref="LabThingsOptions.StreamConcurrentSends"/> over real Kestrel on 127.0.0.1: clients take turns, and clients
/// that never read cannot stop the others' streams.
/// </summary>
public sealed class MjpegSendLimitTests
{
    private const int FrameBytes = 100_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ClientsThatNeverRead_DoNotStopAnotherClientsStream_EvenWithOneSlot()
    {
        await using var server = await RunningServer.StartAsync(b => b.Services
            .AddLabThings(o => o.StreamConcurrentSends = 1)
            .AddThing<ManualCamera>("manual"));
        var stream = server.Services.GetRequiredService<ManualCamera>().Stream;
        using var stop = new CancellationTokenSource();
        var producer = ProduceAsync(stream, stop.Token);
        var stuck = new List<Socket>();
        try
        {
            // Three clients ask for the stream and read nothing, with small receive buffers: none of their parts is
            // ever taken, so each would hold the only slot for good if slots were not given back after a while.
            for (var i = 0; i < 3; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                stuck.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
                await socket.SendAsync("GET /manual/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray());
            }

            (await Eventually.TrueAsync(() => stream.ClientsConnected == 3)).Should().BeTrue();
            await Task.Delay(500); // long enough for every stuck client to have taken the slot at least once

            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            using var timeout = new CancellationTokenSource(Patience);
            using var response = await client.GetAsync("manual/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var reader = new MultipartReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            var ids = new List<long>();
            while (ids.Count < 10)
            {
                var part = await reader.ReadPartAsync(timeout.Token);
                part.Should().NotBeNull("the stream goes on");
                ids.Add(ManualCamera.IdOf(part!.Body));
            }

            ids.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("each part is a newer frame");
            stream.ClientsConnected.Should().Be(4, "the stuck clients are still connected: they were skipped, not dropped");
        }
        finally
        {
            foreach (var socket in stuck)
            {
                socket.Dispose();
            }

            await stop.CancelAsync();
            await producer;
        }
    }

    [Fact]
    public async Task ManyClients_WithFewSlots_EachGetFreshFrames()
    {
        const int Clients = 24;
        await using var server = await RunningServer.StartAsync(b => b.Services
            .AddLabThings(o => o.StreamConcurrentSends = 2)
            .AddThing<ManualCamera>("manual"));
        var stream = server.Services.GetRequiredService<ManualCamera>().Stream;
        using var stop = new CancellationTokenSource();
        var producer = ProduceAsync(stream, stop.Token);
        try
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            using var timeout = new CancellationTokenSource(Patience);
            var readers = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                using var response = await client.GetAsync("manual/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var reader = new MultipartReader(await response.Content.ReadAsStreamAsync(timeout.Token));
                var ids = new List<long>();
                while (ids.Count < 5)
                {
                    ids.Add(ManualCamera.IdOf((await reader.ReadPartAsync(timeout.Token))!.Body));
                }

                return ids;
            })).ToArray();

            foreach (var ids in await Task.WhenAll(readers))
            {
                ids.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("every client gets its turn, and each turn the newest frame");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void StreamConcurrentSends_BelowOne_IsRefused(int value)
    {
        var options = new LabThingsOptions();

        FluentActions.Invoking(() => options.StreamConcurrentSends = value)
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*StreamConcurrentSends must be at least 1*");
        options.StreamConcurrentSends.Should().Be(64, "a refused value leaves the default in place");
        options.StreamConcurrentSends = null;
        options.StreamConcurrentSends.Should().BeNull("null sets no limit");
    }

    /// <summary>A numbered 100 kB frame every 20 ms until cancelled.</summary>
    private static Task ProduceAsync(LabThings.Outputs.MjpegStream stream, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        for (long id = 0; !cancellationToken.IsCancellationRequested; id++)
        {
            stream.AddFrame(ManualCamera.FakeFrame(id, FrameBytes));
            await Task.Delay(20, CancellationToken.None);
        }
    }, CancellationToken.None);
}
