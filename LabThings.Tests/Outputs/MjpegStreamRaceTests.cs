using System.IO.Pipelines;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

/// <summary>Races found in review: Stop followed at once by Reset, and a reader asking again while producers run.</summary>
public sealed class MjpegStreamRaceTests
{
    private static TimeSpan WaitLimit => TimeSpan.FromSeconds(5);

    private static byte[] Jpeg(int id) => [0xFF, 0xD8, (byte)id, (byte)(id >> 8), (byte)(id >> 16), (byte)(id >> 24), 0xFF, 0xD9];

    [Fact]
    public async Task Stop_ThenResetAtOnce_PendingNextFrameAsyncThrowsMjpegStreamStopped()
    {
        var stream = new MjpegStream();
        var next = stream.NextFrameAsync();

        stream.Stop();
        stream.Reset();

        await FluentActions.Awaiting(() => next.WaitAsync(WaitLimit)).Should().ThrowAsync<MjpegStreamStoppedException>();
    }

    [Fact]
    public async Task Stop_ThenResetAtOnce_PendingReadFramesAsyncEnds()
    {
        var stream = new MjpegStream();
        await using var frames = stream.ReadFramesAsync().GetAsyncEnumerator();
        var move = frames.MoveNextAsync().AsTask();

        stream.Stop();
        stream.Reset();

        (await move.WaitAsync(WaitLimit)).Should().BeFalse();
    }

    [Fact]
    public async Task Stop_ThenResetAtOnce_WriteMultipartAsyncReturns()
    {
        var stream = new MjpegStream();
        var pipe = new Pipe();
        var writing = stream.WriteMultipartAsync(pipe.Writer);
        using var timeout = new CancellationTokenSource(WaitLimit);
        var opening = await pipe.Reader.ReadAtLeastAsync(9, timeout.Token);
        pipe.Reader.AdvanceTo(opening.Buffer.End);

        stream.Stop();
        stream.Reset();

        await writing.WaitAsync(WaitLimit);
        stream.ClientsConnected.Should().Be(0);
    }

    [Fact]
    public async Task NextFrameAsync_CalledInALoopWhileProducersRun_NeverReturnsTheSameFrameTwice()
    {
        var stream = new MjpegStream();

        // Runs until 200 calls have been checked (a moment on an idle machine), or 30 s on a very busy one.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var producers = Enumerable.Range(0, 3).Select(p => Task.Factory.StartNew(
            () =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    stream.AddFrame(Jpeg((p << 24) | i++));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        var repeats = new List<(long Previous, long Next)>();
        long previous = -1;
        var calls = 0;
        try
        {
            while (repeats.Count < 5 && calls < 200)
            {
                var next = await stream.NextFrameAsync(stop.Token);
                calls++;
                if (next <= previous)
                {
                    repeats.Add((previous, next));
                }

                previous = next;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The time is up.
        }

        await stop.CancelAsync();
        calls.Should().BeGreaterThan(30, "enough calls raced the producers to mean something");
        await Task.WhenAll(producers).WaitAsync(WaitLimit);
        repeats.Should().BeEmpty("each call must return a frame added after the call");
    }
}
