using System.Text;

namespace LabThings.Tests.Support;

/// <summary>One part of an MJPEG response: its headers and body, and when it was fully received.</summary>
public sealed record MjpegPart(IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt);

/// <summary>
/// A strict reader of <c>multipart/x-mixed-replace; boundary=frame</c> bodies as LabThings writes them:
/// the body opens with <c>--frame</c>; each part has headers, a blank line, exactly Content-Length bytes,
/// then CRLF and the next <c>--frame</c> line. Any deviation throws.
/// </summary>
public sealed class MultipartReader(Stream body)
{
    private readonly BufferedStream _body = new(body, 64 * 1024);
    private bool _opened;

    /// <summary>Reads the next whole part, or null if the body ends cleanly at a part boundary.</summary>
    public async Task<MjpegPart?> ReadPartAsync(CancellationToken cancellationToken)
    {
        if (!_opened)
        {
            var opening = await ReadLineAsync(cancellationToken);
            if (opening is null)
            {
                return null;
            }

            opening.Should().Be("--frame", "the body opens with the boundary line");
            _opened = true;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null)
            {
                headers.Should().BeEmpty("the body may only end right after a boundary line");
                return null;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            colon.Should().BePositive($"'{line}' should be a header line");
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        headers.Should().ContainKey("Content-Type").WhoseValue.Should().Be("image/jpeg");
        headers.Should().ContainKey("Content-Length");
        var length = int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture);
        var jpeg = new byte[length];
        await _body.ReadExactlyAsync(jpeg, cancellationToken);
        var received = DateTimeOffset.UtcNow;
        (await ReadLineAsync(cancellationToken)).Should().Be("", "the JPEG is followed by CRLF");
        (await ReadLineAsync(cancellationToken)).Should().Be("--frame", "each part is followed at once by the next boundary line");
        return new MjpegPart(headers, jpeg, received);
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(64);
        var one = new byte[1];
        while (true)
        {
            var read = await _body.ReadAsync(one, cancellationToken);
            if (read == 0)
            {
                return bytes.Count == 0 ? null : throw new EndOfStreamException("The body ended in the middle of a line.");
            }

            if (one[0] == '\n')
            {
                (bytes.Count > 0 && bytes[^1] == '\r').Should().BeTrue("lines end with CRLF, not a bare LF");
                return Encoding.ASCII.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            }

            bytes.Add(one[0]);
            bytes.Count.Should().BeLessThan(1024, "header lines are short");
        }
    }
}
