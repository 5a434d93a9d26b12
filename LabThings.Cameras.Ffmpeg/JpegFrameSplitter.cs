using System.Buffers;

namespace LabThings.Cameras.Ffmpeg;

/// <summary>
/// Splits a byte stream of concatenated JPEG images (FFmpeg's <c>-f mjpeg</c> output, an HTTP camera's body) into
/// whole frames, reading the JPEG structure rather than searching for FF D9: segments are skipped by their length,
/// so an end-of-image marker inside one (an EXIF thumbnail, a comment) does not end the frame, and the
/// entropy-coded data is scanned for real markers only (FF 00 stuffing and restart markers are data).
/// Bytes outside a frame are skipped, and a frame whose structure breaks is dropped and the splitter looks for the
/// next start-of-image marker.
/// </summary>
/// <remarks>
/// Data is written into the splitter's own buffer (<see cref="GetMemory"/> then <see cref="Advance"/>, so a reader
/// can read straight into it) or copied in with <see cref="Push"/>. Each complete frame is handed to the callback
/// together with ownership of the pooled array it lies in (from offset 0); the callback must return the array to
/// the pool given to the constructor, now or later. Not thread-safe: one reader at a time.
/// </remarks>
internal sealed class JpegFrameSplitter : IDisposable
{
    /// <summary>Frames larger than this are dropped (a stream that never ends its frame must not eat the memory).</summary>
    public const int DefaultMaxFrameBytes = 32 * 1024 * 1024;

    private const int MinimumRead = 16 * 1024;

    private readonly Action<byte[], int> _onFrame;
    private readonly ArrayPool<byte> _pool;
    private readonly int _maxFrameBytes;
    private byte[] _buffer;
    private int _length;
    private int _position;
    private State _state = State.Seeking;

    /// <summary>Creates a splitter.</summary>
    /// <param name="onFrame">Receives each complete frame: an array rented from <paramref name="pool"/> and the frame's length. It owns the array.</param>
    /// <param name="pool">Where buffers come from; <see cref="ArrayPool{T}.Shared"/> if null.</param>
    /// <param name="maxFrameBytes">Frames longer than this are dropped.</param>
    public JpegFrameSplitter(Action<byte[], int> onFrame, ArrayPool<byte>? pool = null, int maxFrameBytes = DefaultMaxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 4);
        _onFrame = onFrame;
        _pool = pool ?? ArrayPool<byte>.Shared;
        _maxFrameBytes = maxFrameBytes;
        _buffer = _pool.Rent(64 * 1024);
    }

    private enum State
    {
        /// <summary>Outside a frame: looking for FF D8.</summary>
        Seeking,

        /// <summary>Inside a frame, at a marker (or fill bytes before one).</summary>
        Markers,

        /// <summary>Inside the entropy-coded data after a start-of-scan header.</summary>
        Entropy,
    }

    /// <summary>Complete frames handed to the callback.</summary>
    public long FramesFound { get; private set; }

    /// <summary>Frames started but dropped because their structure was broken or they grew past the limit.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Bytes skipped outside frames (garbage between frames, or the rest of a dropped frame).</summary>
    public long BytesSkipped { get; private set; }

    /// <summary>A buffer to read at least <paramref name="sizeHint"/> bytes into (16 KiB if less); call <see cref="Advance"/> after.</summary>
    /// <param name="sizeHint">The minimum size wanted.</param>
    /// <returns>Free space at the end of the splitter's buffer.</returns>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf(_length < 0, this);
        var wanted = Math.Max(sizeHint, MinimumRead);
        if (_buffer.Length - _length < wanted)
        {
            var larger = _pool.Rent(Math.Max(_buffer.Length * 2, _length + wanted));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            _pool.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsMemory(_length);
    }

    /// <summary>Takes <paramref name="count"/> bytes written into the memory from <see cref="GetMemory"/> and hands out every frame they complete.</summary>
    /// <param name="count">How many bytes were written.</param>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _length);
        _length += count;
        Parse();
        if (_state != State.Seeking && _length > _maxFrameBytes)
        {
            DropFrame();
            Parse();
        }
    }

    /// <summary>Copies <paramref name="data"/> in and hands out every frame it completes.</summary>
    /// <param name="data">The next bytes of the stream, of any length.</param>
    public void Push(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var memory = GetMemory(Math.Min(data.Length, 1024 * 1024)).Span;
            var count = Math.Min(memory.Length, data.Length);
            data[..count].CopyTo(memory);
            data = data[count..];
            Advance(count);
        }
    }

    /// <summary>Forgets any partial frame (e.g. when the source restarts), so the next bytes start afresh.</summary>
    public void Clear()
    {
        BytesSkipped += _length;
        _length = 0;
        _position = 0;
        _state = State.Seeking;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_length >= 0)
        {
            _pool.Return(_buffer);
            _buffer = [];
            _length = -1;
        }
    }

    private void Parse()
    {
        var buffer = _buffer;
        while (true)
        {
            switch (_state)
            {
                case State.Seeking:
                    if (!Seek())
                    {
                        return;
                    }

                    break;

                case State.Markers:
                    if (_position >= _length)
                    {
                        return;
                    }

                    if (buffer[_position] != 0xFF)
                    {
                        DropFrame();
                        break;
                    }

                    if (_position + 1 >= _length)
                    {
                        return;
                    }

                    var marker = buffer[_position + 1];
                    if (marker == 0xFF)
                    {
                        _position++; // a fill byte before the marker
                    }
                    else if (marker == 0xD9)
                    {
                        Emit(_position + 2);
                        buffer = _buffer;
                    }
                    else if (marker is 0xD8 or 0x00)
                    {
                        DropFrame(); // a new image before this one ended, or not a marker at all
                    }
                    else if (marker is (>= 0xD0 and <= 0xD7) or 0x01)
                    {
                        _position += 2; // markers without a length
                    }
                    else
                    {
                        if (_position + 3 >= _length)
                        {
                            return;
                        }

                        var segmentLength = (buffer[_position + 2] << 8) | buffer[_position + 3];
                        if (segmentLength < 2)
                        {
                            DropFrame();
                            break;
                        }

                        // Skip the whole segment unread: whatever it holds (an EXIF thumbnail with its own
                        // FF D8 … FF D9) is not a marker of this image.
                        _position += 2 + segmentLength;
                        if (marker == 0xDA)
                        {
                            _state = State.Entropy;
                        }
                    }

                    break;

                case State.Entropy:
                    if (_position >= _length)
                    {
                        return;
                    }

                    var found = buffer.AsSpan(_position, _length - _position).IndexOf((byte)0xFF);
                    if (found < 0)
                    {
                        _position = _length;
                        return;
                    }

                    var at = _position + found;
                    if (at + 1 >= _length)
                    {
                        _position = at;
                        return;
                    }

                    var next = buffer[at + 1];
                    if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
                    {
                        _position = at + 2; // a stuffed FF, or a restart marker: still scan data
                    }
                    else if (next == 0xFF)
                    {
                        _position = at + 1;
                    }
                    else
                    {
                        _position = at;
                        _state = State.Markers;
                    }

                    break;
            }
        }
    }

    /// <summary>Looks for FF D8; moves it to the start of the buffer and returns true, or discards what cannot start one.</summary>
    private bool Seek()
    {
        var span = _buffer.AsSpan(0, _length);
        var start = span.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8]);
        if (start < 0)
        {
            // Keep a trailing FF: it may be the first half of FF D8.
            var keep = _length > 0 && span[^1] == 0xFF ? 1 : 0;
            RemoveFront(_length - keep);
            return false;
        }

        RemoveFront(start);
        _position = 2;
        _state = State.Markers;
        return true;
    }

    /// <summary>Hands bytes [0, <paramref name="end"/>) to the callback with their array, and keeps the rest in a new one.</summary>
    private void Emit(int end)
    {
        var frame = _buffer;
        var rest = _length - end;
        _buffer = _pool.Rent(Math.Max(frame.Length, rest + MinimumRead));
        frame.AsSpan(end, rest).CopyTo(_buffer);
        _length = rest;
        _position = 0;
        _state = State.Seeking;
        FramesFound++;
        _onFrame(frame, end);
    }

    private void DropFrame()
    {
        FramesDropped++;

        // Skip this frame's FF D8, then look for the next one in what is left.
        RemoveFront(Math.Min(2, _length));
        _state = State.Seeking;
    }

    private void RemoveFront(int count)
    {
        if (count <= 0)
        {
            return;
        }

        BytesSkipped += count;
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
        _position = 0;
    }
}
