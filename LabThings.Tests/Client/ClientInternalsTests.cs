using System.Text;
using System.Text.Json;
using LabThings.Client.Internal;

namespace LabThings.Tests.Client;

/// <summary>The client's hand-written pieces on their own: the multipart reader and form resolution.</summary>
public sealed class ClientInternalsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task ReadParts_WithAndWithoutContentLength_YieldsEachBodyWhateverTheChunking(int chunk)
    {
        var body = Encoding.ASCII.GetBytes(
            "preamble to skip\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\nAB\r\nC\r\n--b\r\n"
            + "Content-Type: image/jpeg\r\n\r\nno length--b here\r\n--b\r\ncontent-length: 0\r\n\r\n\r\n--b--\r\nepilogue");
        using var stream = new TrickleStream(body, chunk);

        var parts = new List<string>();
        await foreach (var part in MultipartFrameReader.ReadPartsAsync(stream, "b", 1024, CancellationToken.None))
        {
            parts.Add(Encoding.ASCII.GetString(part.Span));
        }

        parts.Should().Equal("AB\r\nC", "no length--b here", "");
    }

    [Fact]
    public async Task ReadParts_PartLargerThanTheLimit_ThrowsInvalidData()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("--b\r\nContent-Length: 2000\r\n\r\n" + new string('x', 2000)));

        var act = async () =>
        {
            await foreach (var _ in MultipartFrameReader.ReadPartsAsync(stream, "b", 1000, CancellationToken.None))
            {
            }
        };

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*2000*1000*");
    }

    [Fact]
    public async Task ReadParts_BodyEndsMidPart_StopsWithoutThePart()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("--b\r\nContent-Length: 3\r\n\r\nxyz\r\n--b\r\nContent-Length: 9\r\n\r\nabc"));

        var parts = new List<string>();
        await foreach (var part in MultipartFrameReader.ReadPartsAsync(stream, "b", 100, CancellationToken.None))
        {
            parts.Add(Encoding.ASCII.GetString(part.Span));
        }

        parts.Should().Equal("xyz");
    }

    [Theory]
    [InlineData("multipart/x-mixed-replace; boundary=frame", "frame")]
    [InlineData("multipart/x-mixed-replace;boundary=\"my frame\"", "my frame")]
    [InlineData("image/jpeg", null)]
    public void Boundary_ContentType_IsItsParameter(string contentType, string? expected)
        => MultipartFrameReader.Boundary(contentType).Should().Be(expected);

    [Theory]
    [InlineData("../action_invocations/{id}", "http://h/thing/", "http://h/action_invocations/a%20b")]
    [InlineData("http://other/x{?id}", "http://h/thing/", "http://other/x?id=a%20b")]
    [InlineData("p", "http://h/thing/", "http://h/thing/p")]
    public void Resolve_TemplateAndBase_ExpandsThenResolves(string href, string baseUri, string expected)
    {
        var form = Form($$"""{"href": "{{href}}"}""");

        form.Resolve(new Uri(baseUri), new Dictionary<string, string> { ["id"] = "a b" }).AbsoluteUri.Should().Be(expected);
    }

    [Fact]
    public void Resolve_MissingVariable_ThrowsNamingIt()
    {
        var act = () => Form("""{"href": "inv/{id}"}""").Resolve(new Uri("http://h/"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*'id'*");
    }

    [Theory]
    [InlineData("readproperty", "GET")]
    [InlineData("writeproperty", "PUT")]
    [InlineData("invokeaction", "POST")]
    [InlineData("cancelaction", "DELETE")]
    public void Method_NoMethodName_IsTheHttpBindingDefault(string op, string expected)
        => Form("""{"href": "x"}""").Method(op).Method.Should().Be(expected);

    [Fact]
    public void Method_MethodName_WinsOverTheDefault()
        => Form("""{"href": "x", "htv:methodName": "post"}""").Method("readproperty").Should().Be(HttpMethod.Post);

    private static TdForm Form(string json)
    {
        using var document = JsonDocument.Parse($$"""{"forms": [{{json}}]}""");
        return TdForm.Read(document.RootElement.Clone(), ["readproperty"]).Single();
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
