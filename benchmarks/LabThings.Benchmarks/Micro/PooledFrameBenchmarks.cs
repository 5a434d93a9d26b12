using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using LabThings.Outputs;

namespace LabThings.Benchmarks.Micro;

/// <summary>
/// A producer of 100 KiB frames, with the copying <see cref="MjpegStream.AddFrame(ReadOnlyMemory{byte}, DateTimeOffset?)"/>
/// and with the owning overload that takes an array rented from a pool (the producer rents it and writes the frame into
/// it, as the FFmpeg camera's reader does; here the write is a copy of a ready frame, in both cases). Readers are MJPEG
/// responses: <see cref="MjpegStream.WriteMultipartAsync"/> into a pipe that a task drains, as Kestrel would.
/// "Allocated" counts every thread's allocations during the calls.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class PooledFrameBenchmarks
{
    private const int FrameSize = 100 * 1024;

    // As the FFmpeg camera's pool: enough arrays per size for the ring, the frame being written and readers' holds.
    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create(1024 * 1024, 32);
    private MjpegStream _stream = null!;
    private byte[] _frame = null!;
    private byte[] _scratch = null!;
    private Task[] _readers = [];

    /// <summary>How many MJPEG responses read the stream.</summary>
    [Params(0, 10)]
    public int Readers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _stream = new MjpegStream();
        _frame = FakeFrames.Create(FrameSize, 1)[0];
        _scratch = new byte[FrameSize];
        _readers = [.. Enumerable.Range(0, Readers).Select(_ => Task.Run(ReadAsync))];
    }

    /// <summary>The frame is written into a buffer the producer keeps, and copied by the stream.</summary>
    [Benchmark(Baseline = true)]
    public void AddFrameCopying()
    {
        _frame.CopyTo(_scratch, 0);
        _stream.AddFrame(_scratch);
    }

    /// <summary>The frame is written into a pooled array, which the stream takes and returns when done.</summary>
    [Benchmark]
    public void AddFrameOwning()
    {
        var array = _pool.Rent(FrameSize);
        _frame.CopyTo(array, 0);
        _stream.AddFrame(array, FrameSize, _pool, null);
    }

    /// <summary>Stopping the stream ends the responses.</summary>
    [GlobalCleanup]
    public Task CleanupAsync()
    {
        _stream.Stop();
        return Task.WhenAll(_readers);
    }

    private async Task ReadAsync()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024));
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                var result = await pipe.Reader.ReadAsync();
                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });
        await _stream.WriteMultipartAsync(pipe.Writer);
        await pipe.Writer.CompleteAsync();
        await drain;
    }
}
