using System.Text;

namespace LabThings.Tests.Support;

/// <summary>One part of an MJPEG response: its headers and body, and when it was fully received.</summary>
public sealed record MjpegPart(IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt);

/// <summary>
/// A strict reader of <c>multipart/x-mixed-replace; boundary=frame</c> bodies as LabThings writes them, over
/// <see cref="MultipartParser"/> (shared with the benchmarks): a part is returned once it and the boundary line
/// after it have arrived, and only if it is a JPEG with a Content-Length. Any deviation throws.
/// </summary>
public sealed class MultipartReader(Stream body)
{
    private readonly MultipartParser _parser = new();
    private readonly Parts _parts = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    /// <summary>Reads the next whole part, or null if the body ends cleanly at a part boundary.</summary>
    public async Task<MjpegPart?> ReadPartAsync(CancellationToken cancellationToken)
    {
        while (_parts.Complete.Count == 0)
        {
            var read = await body.ReadAsync(_buffer, cancellationToken);
            if (read == 0)
            {
                _parser.End();
                return null;
            }

            _parser.Feed(_buffer.AsSpan(0, read), _parts);
        }

        var part = _parts.Complete.Dequeue();
        part.Headers.Should().ContainKey("Content-Type").WhoseValue.Should().Be("image/jpeg");
        part.Headers.Should().ContainKey("Content-Length");
        return part;
    }

    private sealed class Parts : IMultipartHandler
    {
        private Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);
        private MemoryStream? _body;
        private MjpegPart? _ended;

        public Queue<MjpegPart> Complete { get; } = new();

        public void OnBoundary()
        {
            if (_ended is not null)
            {
                Complete.Enqueue(_ended);
                _ended = null;
            }
        }

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
            => _headers[Encoding.ASCII.GetString(name)] = Encoding.ASCII.GetString(value);

        public void OnBody(ReadOnlySpan<byte> data) => (_body ??= new MemoryStream()).Write(data);

        public void OnPartEnd()
        {
            _ended = new MjpegPart(_headers, _body?.ToArray() ?? [], DateTimeOffset.UtcNow);
            _headers = new(StringComparer.OrdinalIgnoreCase);
            _body = null;
        }
    }
}
