using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using LabThings.Outputs;
using LabThings.Tests.Support;

namespace LabThings.Tests.Outputs;

/// <summary>
/// The owning AddFrame overloads: the stream keeps the caller's pooled buffer (no copy) and gives it back to its pool
/// once the frame has left the ring and no reader is copying it, never earlier, and never if public code was handed it.
/// The copying overload does the same with copies from a pool of the stream's own.
/// </summary>
public sealed class MjpegStreamPoolingTests
{
    [Fact]
    public void AddFrame_PooledArray_IsKeptWithoutACopy()
    {
        var pool = new CheckingPool();
        var stream = new MjpegStream(2);
        var array = pool.RentFrame(1, 1000);

        stream.AddFrame(array, 1000, pool, null);

        MemoryMarshal.TryGetArray(stream.NewestFrame!.Frame, out var segment).Should().BeTrue();
        segment.Array.Should().BeSameAs(array);
        segment.Count.Should().Be(1000);
    }

    [Fact]
    public void AddFrame_FramesFallingOutOfTheRing_GoBackToThePoolInOrder()
    {
        var pool = new CheckingPool();
        var stream = new MjpegStream(2);
        var arrays = Enumerable.Range(0, 5).Select(i => pool.RentFrame(i, 500)).ToArray();

        foreach (var array in arrays)
        {
            stream.AddFrame(array, 500, pool, null);
        }

        pool.ReturnedInOrder.Should().Equal(arrays[0], arrays[1], arrays[2]);
        stream.Reset();
        pool.ReturnedInOrder.Should().BeEquivalentTo(arrays, "Reset lets go of the frames in the ring too");
    }

    [Fact]
    public async Task AddFrame_FrameHeldByAReader_GoesBackOnlyWhenTheReaderReleasesIt()
    {
        var pool = new CheckingPool();
        var stream = new MjpegStream(1);
        var first = pool.RentFrame(1, 500);
        stream.AddFrame(first, 500, pool, null);

        // What an MJPEG response does around copying a frame out (the internal wait does not hand the frame out).
        var lease = (await stream.WaitForFrameAfterAsync(0, 0, CancellationToken.None))!.Lease!;
        lease.TryAcquire().Should().BeTrue();

        stream.AddFrame(pool.RentFrame(2, 500), 500, pool, null);

        pool.ReturnedInOrder.Should().BeEmpty("a reader is still copying the first frame");
        lease.Release();
        pool.ReturnedInOrder.Should().Equal(first);
        lease.TryAcquire().Should().BeFalse("a released frame cannot be taken again");
    }

    [Fact]
    public async Task AddFrame_FramesHandedOutByPublicMembers_AreNeverReused()
    {
        var pool = new CheckingPool();
        var stream = new MjpegStream(1);
        stream.AddFrame(pool.RentFrame(0, 500), 500, pool, null);
        var newest = stream.NewestFrame!;
        var byIndex = Add(1).GetRingbufferEntry(1);
        var grabbed = stream.GrabFrameAsync();
        Add(2);
        var grabbedFrame = await grabbed;

        Add(3);
        Add(4);

        IdOf(newest.Frame).Should().Be(0);
        IdOf(byIndex.Frame).Should().Be(1);
        IdOf(grabbedFrame).Should().Be(2);
        pool.ReturnedInOrder.Select(a => IdOf(a)).Should().Equal(3);

        MjpegStream Add(int id)
        {
            stream.AddFrame(pool.RentFrame(id, 500), 500, pool, null);
            return stream;
        }
    }

    [Fact]
    public void AddFrame_MemoryOwner_IsDisposedWhenTheFrameFallsOut()
    {
        var stream = new MjpegStream(1);
        var owners = Enumerable.Range(0, 3).Select(i => new Owner(Frame(i, 300))).ToArray();

        foreach (var owner in owners)
        {
            stream.AddFrame(owner, 300, null);
        }

        owners.Select(o => o.Disposed).Should().Equal(true, true, false);
    }

    [Fact]
    public void AddFrame_PooledBytesThatAreNotAJpeg_ThrowsAndLeavesTheArrayWithTheCaller()
    {
        var pool = new CheckingPool();
        var stream = new MjpegStream(1);
        var array = pool.RentFrame(1, 500);

        var add = () => stream.AddFrame(array, 499, pool, null);

        add.Should().Throw<ArgumentException>().WithParameterName("frame");
        stream.NewestFrame.Should().BeNull();
        pool.ReturnedInOrder.Should().BeEmpty();
        var tooLong = () => stream.AddFrame(array, array.Length + 1, pool, null);
        tooLong.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("length");
    }

    /// <summary>
    /// Eight MJPEG readers copy 100 KB frames out while a producer adds them as fast as it can into a ring of one. The pool
    /// scribbles over every array the moment it is returned, and hands it straight back to the producer: a reader that
    /// was still copying a returned array would send a frame whose bytes do not match its id.
    /// </summary>
    [Fact]
    public async Task AddFrame_RacingReaders_NoArrayIsReturnedWhileAReaderCopiesIt()
    {
        const int size = 100 * 1024;
        var pool = new CheckingPool { Scribble = true };
        var stream = new MjpegStream(1);

        var produced = await RaceReadersAsync(stream, 3000, id => stream.AddFrame(pool.RentFrame(id, size), size, pool, null));

        stream.Reset();
        pool.Outstanding.Should().Be(0, "every array went back to the pool exactly once in the end");
        pool.ReturnedInOrder.Should().HaveCount(produced);
    }

    [Fact]
    public async Task AddFrame_Copying_ReusesTheCopyOfAFrameThatLeftTheRing()
    {
        var stream = new MjpegStream(1);
        stream.AddFrame(Frame(0, 1000));
        var first = ArrayOf((await stream.WaitForFrameAfterAsync(0, 0, CancellationToken.None))!.Frame);

        stream.AddFrame(Frame(1, 1000));
        stream.AddFrame(Frame(2, 1000));

        var third = (await stream.WaitForFrameAfterAsync(2, 0, CancellationToken.None))!.Frame;
        ArrayOf(third).Should().BeSameAs(first, "frame 0's copy went back to the stream's pool when frame 1 replaced it");
        IdOf(third).Should().Be(2);
        third.Length.Should().Be(1000);
    }

    [Fact]
    public async Task AddFrame_Copying_FramesHandedOutKeepTheirBytes()
    {
        var stream = new MjpegStream(1);
        stream.AddFrame(Frame(0, 1000));
        var newest = stream.NewestFrame!;
        var grabbed = stream.GrabFrameAsync();
        stream.AddFrame(Frame(1, 1000));
        var grabbedFrame = await grabbed;

        for (var id = 2; id < 20; id++)
        {
            stream.AddFrame(Frame(id, 1000));
        }

        IdOf(newest.Frame).Should().Be(0);
        CheckFrame(newest.Frame.ToArray());
        IdOf(grabbedFrame).Should().Be(1);
        CheckFrame(grabbedFrame.ToArray());
    }

    /// <summary>
    /// The copying AddFrame with its own pool: eight readers copy 100 KB frames out while a producer adds copies of one
    /// buffer it rewrites for every frame, into a ring of one. A copy returned to the stream's pool while a reader was
    /// still sending it would be overwritten by the next frame, and the reader would send mixed bytes.
    /// </summary>
    [Fact]
    public async Task AddFrame_Copying_RacingReaders_NoCopyIsReusedWhileAReaderSendsIt()
    {
        const int size = 100 * 1024;
        var stream = new MjpegStream(1);
        var buffer = new byte[size];

        await RaceReadersAsync(stream, 10000, id =>
        {
            Fill(buffer, id, size);
            stream.AddFrame(buffer);
        });
    }

    /// <summary>
    /// Eight MJPEG readers that check every frame they receive, against a producer adding frames 0, 1, 2, … as fast as it
    /// can: at least <paramref name="frames"/>, and on until every reader has checked some (a loaded machine may schedule
    /// them late). Fails if a reader saw none. Returns how many frames were added.
    /// </summary>
    private static async Task<int> RaceReadersAsync(MjpegStream stream, int frames, Action<int> addFrame)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new int[8];
        var readers = Enumerable.Range(0, 8).Select(r => Task.Run(() => ReadAndCheckAsync(stream, seen, r, stop.Token))).ToArray();
        (await Eventually.TrueAsync(() => stream.ClientsConnected == 8)).Should().BeTrue();

        var produced = 0;
        await Task.Run(() =>
        {
            while (produced < frames || (Enumerable.Range(0, seen.Length).Any(i => Volatile.Read(ref seen[i]) == 0) && !stop.IsCancellationRequested))
            {
                addFrame(produced);
                produced++;
            }
        });
        stream.Stop();
        (await Task.WhenAll(readers)).Should().OnlyContain(n => n > 0, "every reader saw frames");
        return produced;
    }

    private static byte[] ArrayOf(ReadOnlyMemory<byte> frame)
    {
        MemoryMarshal.TryGetArray(frame, out var segment).Should().BeTrue();
        return segment.Array!;
    }

    private static async Task<int> ReadAndCheckAsync(MjpegStream stream, int[] seen, int index, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            await stream.WriteMultipartAsync(pipe.Writer, cancellationToken);
            await pipe.Writer.CompleteAsync();
        }, CancellationToken.None);
        var reader = new MultipartReader(pipe.Reader.AsStream());
        var count = 0;
        while (await reader.ReadPartAsync(cancellationToken) is { } part)
        {
            CheckFrame(part.Body);
            count++;
            Volatile.Write(ref seen[index], count);
        }

        await writing;
        return count;
    }

    /// <summary>A fake JPEG: FF D8, its id, bytes that follow from the id, FF D9.</summary>
    private static byte[] Frame(int id, int size)
    {
        var bytes = new byte[size];
        Fill(bytes, id, size);
        return bytes;
    }

    private static void Fill(byte[] bytes, int id, int size)
    {
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), id);
        for (var i = 6; i < size - 2; i++)
        {
            bytes[i] = (byte)(id * 7 + i);
        }

        bytes[size - 2] = 0xFF;
        bytes[size - 1] = 0xD9;
    }

    private static void CheckFrame(byte[] body)
    {
        var id = IdOf(body);
        var intact = body[0] == 0xFF && body[1] == 0xD8 && body[^2] == 0xFF && body[^1] == 0xD9;
        for (var i = 6; intact && i < body.Length - 2; i++)
        {
            intact = body[i] == (byte)(id * 7 + i);
        }

        if (!intact)
        {
            Assert.Fail($"Frame {id} was sent with bytes that are not its own: its array was reused while a reader copied it.");
        }
    }

    private static int IdOf(ReadOnlyMemory<byte> frame) => BinaryPrimitives.ReadInt32LittleEndian(frame.Span[2..]);

    private static int IdOf(byte[] frame) => IdOf(frame.AsMemory());

    /// <summary>A pool that records returns, refuses arrays it did not rent or returned twice, and can scribble on returned arrays and reuse them at once.</summary>
    private sealed class CheckingPool : ArrayPool<byte>
    {
        private readonly Lock _gate = new();
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
        private readonly Stack<byte[]> _free = new();

        public bool Scribble { get; init; }

        public List<byte[]> ReturnedInOrder { get; } = [];

        public int Outstanding
        {
            get
            {
                lock (_gate)
                {
                    return _out.Count;
                }
            }
        }

        public byte[] RentFrame(int id, int size)
        {
            var array = Rent(size);
            Fill(array, id, size);
            return array;
        }

        public override byte[] Rent(int minimumLength)
        {
            lock (_gate)
            {
                var array = _free.TryPop(out var free) && free.Length >= minimumLength ? free : new byte[minimumLength];
                _out.Add(array);
                return array;
            }
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_gate)
            {
                if (!_out.Remove(array))
                {
                    Assert.Fail("An array was returned that is not rented (returned twice?).");
                }

                ReturnedInOrder.Add(array);
                if (Scribble)
                {
                    array.AsSpan(2).Fill(0x5A);
                    _free.Push(array);
                }
            }
        }
    }

    private sealed class Owner(byte[] bytes) : IMemoryOwner<byte>
    {
        public bool Disposed { get; private set; }

        public Memory<byte> Memory => bytes;

        public void Dispose() => Disposed = true;
    }
}
