using BenchmarkDotNet.Attributes;
using LabThings.Outputs;

namespace LabThings.Benchmarks.Micro;

/// <summary>
/// <see cref="MjpegStream.AddFrame"/> of a 100 KiB frame (it copies the frame and wakes the waiting readers on the
/// thread pool) with no reader and with 10 readers looping over <see cref="MjpegStream.ReadFramesAsync"/>, as HTTP
/// clients do. "Allocated" counts every thread's allocations during the calls, the readers' wake-ups included.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class MjpegStreamBenchmarks
{
    private MjpegStream _stream = null!;
    private byte[] _frame = null!;
    private Task[] _readers = [];

    /// <summary>How many readers wait for frames.</summary>
    [Params(0, 10)]
    public int Readers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = new MjpegStream();
        _frame = FakeFrames.Create(100 * 1024, 1)[0];
        _readers = [.. Enumerable.Range(0, Readers).Select(_ => Task.Run(ReadAsync))];
    }

    [Benchmark]
    public void AddFrame() => _stream.AddFrame(_frame);

    /// <summary>Stopping the stream ends the readers' loops.</summary>
    [GlobalCleanup]
    public Task CleanupAsync()
    {
        _stream.Stop();
        return Task.WhenAll(_readers);
    }

    private async Task ReadAsync()
    {
        await foreach (var frame in _stream.ReadFramesAsync())
        {
            GC.KeepAlive(frame);
        }
    }
}
