using System.Buffers;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public partial class MjpegStreamTests
{
    // ---------------------------------------------------------------- ReadFramesAsync

    [Fact]
    public async Task ReadFramesAsync_ExistingFrame_StartsWithTheNextFrame()
    {
        var stream = new MjpegStream();
        stream.AddFrame(Jpeg(0));
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();

        var move = frames.MoveNextAsync().AsTask();
        move.IsCompleted.Should().BeFalse("the existing frame is not yielded");
        stream.AddFrame(Jpeg(1));

        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        frames.Current.Index.Should().Be(1);
        IdOf(frames.Current.Frame).Should().Be(1);

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_ConsumerKeepsUp_YieldsEveryFrameInIndexOrder()
    {
        var stream = new MjpegStream();
        var timestamps = new List<DateTimeOffset>();
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();

        for (var i = 0; i < 6; i++)
        {
            var move = frames.MoveNextAsync().AsTask();
            stream.AddFrame(Jpeg(10 + i), Epoch.AddSeconds(i));
            (await move.WaitAsync(WaitLimit)).Should().BeTrue();
            frames.Current.Index.Should().Be(i);
            IdOf(frames.Current.Frame).Should().Be(10 + i);
            timestamps.Add(frames.Current.Timestamp);
        }

        timestamps.Should().Equal(Enumerable.Range(0, 6).Select(i => Epoch.AddSeconds(i)));

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_ProducerRunsFreely_IndicesStrictlyIncreaseAndEndAtNewest()
    {
        const int count = 300;
        var stream = new MjpegStream(ringbufferSize: count);
        var seen = new List<RingbufferEntry>();
        var reading = ReadUntilAsync(stream, count - 1, seen);

        var producing = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                stream.AddFrame(Jpeg(i));
            }
        });

        await producing.WaitAsync(WaitLimit);
        await reading.WaitAsync(WaitLimit);
        seen.Should().NotBeEmpty();
        seen.Select(e => e.Index).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        seen[^1].Index.Should().Be(count - 1);
        seen.Should().OnlyContain(e => IdOf(e.Frame) == e.Index, "each yielded entry's bytes belong to its index");

        static async Task ReadUntilAsync(MjpegStream stream, long lastIndex, List<RingbufferEntry> seen)
        {
            await foreach (var entry in stream.ReadFramesAsync())
            {
                seen.Add(entry);
                if (entry.Index == lastIndex)
                {
                    break;
                }
            }
        }
    }

    [Fact]
    public async Task ReadFramesAsync_SlowConsumer_SkipsToTheNewestFrame()
    {
        var stream = new MjpegStream();
        var frames = stream.ReadFramesAsync().GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();
        stream.AddFrame(Jpeg(0));
        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        frames.Current.Index.Should().Be(0);

        // The consumer is busy while three frames arrive.
        stream.AddFrame(Jpeg(1));
        stream.AddFrame(Jpeg(2));
        stream.AddFrame(Jpeg(3));

        move = frames.MoveNextAsync().AsTask();
        move.IsCompleted.Should().BeTrue("a newer frame is already there");
        (await move).Should().BeTrue();
        frames.Current.Index.Should().Be(3);
        IdOf(frames.Current.Frame).Should().Be(3);

        move = frames.MoveNextAsync().AsTask();
        move.IsCompleted.Should().BeFalse("frames 1 and 2 were skipped, not queued");
        stream.AddFrame(Jpeg(4));
        (await move.WaitAsync(WaitLimit)).Should().BeTrue();
        frames.Current.Index.Should().Be(4);

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_Cancelled_ThrowsOperationCanceled()
    {
        var stream = new MjpegStream();
        using var cts = new CancellationTokenSource();
        var frames = stream.ReadFramesAsync(cts.Token).GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => move.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();

        await frames.DisposeAsync();
    }

    [Fact]
    public async Task ReadFramesAsync_CancelledViaWithCancellation_ThrowsOperationCanceled()
    {
        var stream = new MjpegStream();
        using var cts = new CancellationTokenSource();
        var reading = ConsumeAsync(stream, cts.Token);

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => reading.WaitAsync(WaitLimit)).Should().ThrowAsync<OperationCanceledException>();

        static async Task ConsumeAsync(MjpegStream stream, CancellationToken token)
        {
            await foreach (var entry in stream.ReadFramesAsync(CancellationToken.None).WithCancellation(token))
            {
                _ = entry;
            }
        }
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task AddFrame_ConcurrentProducersAndReaders_UniqueIndicesAndIncreasingReads()
    {
        const int producers = 4;
        const int perProducer = 2000;
        const int total = producers * perProducer;
        const int readers = 8;
        var limit = TimeSpan.FromSeconds(30);
        var stream = new MjpegStream(ringbufferSize: total);
        var sawLast = Enumerable.Range(0, readers)
            .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .ToArray();

        // Called directly so that each reader has started waiting before any frame is added.
        var readerTasks = Enumerable.Range(0, readers).Select(r => ReadUntilStoppedAsync(stream, total - 1, sawLast[r])).ToArray();
        var waiterTasks = Enumerable.Range(0, 2).Select(_ => GrabUntilStoppedAsync(stream)).ToArray();

        using var start = new ManualResetEventSlim();
        var producerTasks = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(
            () =>
            {
                start.Wait();
                for (var i = 0; i < perProducer; i++)
                {
                    stream.AddFrame(Jpeg((p * 100_000) + i));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        start.Set();

        await Task.WhenAll(producerTasks).WaitAsync(limit);

        stream.FramesAdded.Should().Be(total);
        stream.LastFrameIndex.Should().Be(total - 1);

        // Every frame got exactly one index in 0..total-1, and each producer's frames kept their order.
        var stored = Enumerable.Range(0, total).Select(i => IdOf(stream.GetRingbufferEntry(i).Frame)).ToList();
        stored.Order().Should().Equal(
            Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => (p * 100_000) + i)).Order());
        for (var p = 0; p < producers; p++)
        {
            stored.Where(id => id / 100_000 == p).Should().BeInAscendingOrder();
        }

        // Readers always catch up with the newest frame; only then stop the stream.
        await Task.WhenAll(sawLast.Select(s => s.Task)).WaitAsync(limit);
        stream.Stop();
        var reads = await Task.WhenAll(readerTasks).WaitAsync(limit);
        var grabs = await Task.WhenAll(waiterTasks).WaitAsync(limit);

        foreach (var read in reads)
        {
            read.Should().NotBeEmpty();
            read.Select(r => r.Index).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            read[^1].Index.Should().Be(total - 1);
            read.Should().OnlyContain(r => stored[(int)r.Index] == r.Id, "a reader must get the bytes stored under the index it was given");
        }

        var storedIds = stored.ToHashSet();
        foreach (var grab in grabs)
        {
            grab.Should().OnlyContain(id => storedIds.Contains(id), "a grabbed frame is one of the frames added");
        }

        static async Task<List<(long Index, int Id)>> ReadUntilStoppedAsync(MjpegStream stream, long lastIndex, TaskCompletionSource sawLast)
        {
            var read = new List<(long Index, int Id)>();
            await foreach (var entry in stream.ReadFramesAsync())
            {
                read.Add((entry.Index, IdOf(entry.Frame)));
                if (entry.Index == lastIndex)
                {
                    sawLast.TrySetResult();
                }
            }

            return read;
        }

        static async Task<List<int>> GrabUntilStoppedAsync(MjpegStream stream)
        {
            var grabbed = new List<int>();
            while (true)
            {
                try
                {
                    grabbed.Add(IdOf(await stream.GrabFrameAsync()));
                }
                catch (MjpegStreamStoppedException)
                {
                    return grabbed;
                }
            }
        }
    }
}
