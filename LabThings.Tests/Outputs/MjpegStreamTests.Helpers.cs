using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace LabThings.Tests.Outputs;

public partial class MjpegStreamTests
{
    // ---------------------------------------------------------------- helpers

    /// <summary>A fake JPEG: FF D8, the id (little-endian int32), filler derived from the id, FF D9.</summary>
    private static byte[] Jpeg(int id, int size = 12)
    {
        size.Should().BeGreaterThanOrEqualTo(8, "a fake JPEG needs room for its markers and id");
        var bytes = new byte[size];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), id);
        for (var i = 6; i < size - 2; i++)
        {
            bytes[i] = (byte)(id + i);
        }

        bytes[^2] = 0xFF;
        bytes[^1] = 0xD9;
        return bytes;
    }

    private static int IdOf(ReadOnlyMemory<byte> frame) => BinaryPrimitives.ReadInt32LittleEndian(frame.Span[2..]);

    private static int IdOf(byte[] frame) => IdOf(frame.AsMemory());

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>The exact bytes of one part after the opening boundary.</summary>
    private static byte[] Part(byte[] jpeg)
        => Ascii($"Content-Type: image/jpeg\r\nContent-Length: {jpeg.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n")
            .Concat(jpeg)
            .Concat(Ascii("\r\n--frame\r\n"))
            .ToArray();

    /// <summary>Reads and consumes at least <paramref name="count"/> bytes (all that are buffered).</summary>
    private static async Task<byte[]> ReadAtLeastAsync(PipeReader reader, int count, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(count, cancellationToken);
        var bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        bytes.Length.Should().BeGreaterThanOrEqualTo(count, "the body ended early");
        return bytes;
    }

    /// <summary>Waits until at least <paramref name="count"/> bytes are buffered, without consuming them.</summary>
    private static async Task<byte[]> PeekAtLeastAsync(PipeReader reader, int count, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(count, cancellationToken);
        var bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.Start);
        bytes.Length.Should().BeGreaterThanOrEqualTo(count, "the body ended early");
        return bytes;
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var all = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            all.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.ToArray();
            }
        }
    }

    /// <summary>Reads a multipart/x-mixed-replace body from a pipe, checking the framing byte for byte.</summary>
    private sealed class MultipartBodyReader(PipeReader reader, CancellationToken cancellationToken)
    {
        public int LastContentLength { get; private set; } = -1;

        public async Task ReadOpeningBoundaryAsync()
            => Encoding.ASCII.GetString(await ReadExactlyAsync(9)).Should().Be("--frame\r\n");

        /// <summary>Reads one part and the boundary line after it; returns the part's body.</summary>
        public async Task<byte[]> ReadPartAsync()
        {
            (await ReadLineAsync()).Should().Be("Content-Type: image/jpeg");
            var lengthLine = await ReadLineAsync();
            lengthLine.Should().MatchRegex("^Content-Length: [1-9][0-9]*$");
            (await ReadLineAsync()).Should().BeEmpty("the headers end with a blank line");
            LastContentLength = int.Parse(lengthLine["Content-Length: ".Length..], NumberStyles.None, CultureInfo.InvariantCulture);
            var jpeg = await ReadExactlyAsync(LastContentLength);
            Encoding.ASCII.GetString(await ReadExactlyAsync(11)).Should().Be("\r\n--frame\r\n");
            jpeg[..2].Should().Equal(0xFF, 0xD8);
            jpeg[^2..].Should().Equal(0xFF, 0xD9);
            return jpeg;
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var result = await reader.ReadAtLeastAsync(count, cancellationToken);
            var buffer = result.Buffer;
            buffer.Length.Should().BeGreaterThanOrEqualTo(count, "the body ended in the middle of a part");
            var bytes = buffer.Slice(0, count).ToArray();
            reader.AdvanceTo(buffer.GetPosition(count));
            return bytes;
        }

        private async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                if (TryTakeLine(buffer, out var line, out var consumed))
                {
                    reader.AdvanceTo(consumed);
                    return line;
                }

                buffer.Length.Should().BeLessThan(1000, "a header line is short");
                result.IsCompleted.Should().BeFalse("the body ended in the middle of the headers");
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        private static bool TryTakeLine(ReadOnlySequence<byte> buffer, out string line, out SequencePosition consumed)
        {
            var sequenceReader = new SequenceReader<byte>(buffer);
            if (sequenceReader.TryReadTo(out ReadOnlySequence<byte> lineBytes, "\r\n"u8))
            {
                line = Encoding.ASCII.GetString(lineBytes);
                consumed = sequenceReader.Position;
                return true;
            }

            line = string.Empty;
            consumed = buffer.Start;
            return false;
        }
    }

    private sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
