using System.Text;
using LabThings.Tests.Support;

namespace LabThings.Tests.Outputs;

/// <summary>The multipart parser shared by <see cref="MultipartReader"/> and the benchmarks' MJPEG clients.</summary>
public sealed class MultipartParserTests
{
    private const string TwoParts =
        "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\nAB\r\n\r\n--frame\r\n"
        + "Content-Type: image/jpeg\r\nContent-Length: 3\r\n\r\nXYZ\r\n--frame\r\n";

    [Fact]
    public void Feed_SplitAtEveryPosition_FindsTheSameParts()
    {
        var bytes = Encoding.ASCII.GetBytes(TwoParts);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var parser = new MultipartParser();
            var events = new Events();
            parser.Feed(bytes.AsSpan(0, split), events);
            parser.Feed(bytes.AsSpan(split), events);

            events.Log.ToString().Should().Be("| Content-Type=image/jpeg Content-Length=4 [AB\r\n] end | Content-Type=image/jpeg Content-Length=3 [XYZ] end |", $"split at {split}");
            parser.End().Should().BeTrue();
        }
    }

    [Theory]
    [InlineData("--frame\r\nContent-Length: 4\r\n\r\nABCD--frame\r\n")] // no CRLF after the body
    [InlineData("--frame\r\nContent-Length: 4\r\n\r\nABCD\r\n--other\r\n")] // wrong boundary
    [InlineData("--frame\nContent-Length: 4\r\n\r\n")] // bare LF
    [InlineData("--frame\r\nContent-Type: image/jpeg\r\n\r\n")] // no Content-Length
    [InlineData("--frame\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("--frame\r\nno colon\r\n\r\n")]
    public void Feed_MalformedBody_Throws(string body)
    {
        var act = () => new MultipartParser().Feed(Encoding.ASCII.GetBytes(body), new Events());

        act.Should().Throw<InvalidDataException>();
    }

    [Theory]
    [InlineData("--frame\r\nContent-Length: 4\r\n\r\nAB", typeof(EndOfStreamException))]
    [InlineData("--frame\r\nContent-Length: 4\r\n", typeof(InvalidDataException))]
    [InlineData("--frame\r\nContent-Length: 4\r\n\r\nABCD\r\n", typeof(InvalidDataException))]
    public void End_InsideAPart_Throws(string body, Type expected)
    {
        var parser = new MultipartParser();
        parser.Feed(Encoding.ASCII.GetBytes(body), new Events());

        var act = () => parser.End();

        act.Should().Throw<Exception>().Which.Should().BeOfType(expected);
    }

    private sealed class Events : IMultipartHandler
    {
        private readonly StringBuilder _body = new();

        public StringBuilder Log { get; } = new();

        public void OnBoundary() => Log.Append('|');

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
            => Log.Append(' ').Append(Encoding.ASCII.GetString(name)).Append('=').Append(Encoding.ASCII.GetString(value));

        public void OnBody(ReadOnlySpan<byte> data) => _body.Append(Encoding.ASCII.GetString(data));

        public void OnPartEnd()
        {
            Log.Append(" [").Append(_body).Append("] end ");
            _body.Clear();
        }
    }
}
