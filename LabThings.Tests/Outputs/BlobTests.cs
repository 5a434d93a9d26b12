using System.Text;
using LabThings.Outputs;

namespace LabThings.Tests.Outputs;

public sealed class BlobTests
{
    [Fact]
    public async Task FromFile_ReadsTheFileEachTime()
    {
        var path = Path.Combine(Support.RunningServer.NewTemporaryFolder(), "scan.csv");
        await File.WriteAllTextAsync(path, "x,y\n1,2\n");
        var blob = Blob.FromFile(path, "text/csv");

        await File.AppendAllTextAsync(path, "3,4\n");

        blob.FilePath.Should().Be(path);
        blob.Length.Should().Be(12);
        Encoding.UTF8.GetString((await blob.ReadAllBytesAsync()).Span).Should().Be("x,y\n1,2\n3,4\n");
    }

    [Fact]
    public void FromFile_MissingFile_Throws()
    {
        var act = () => Blob.FromFile("/nonexistent/scan.csv", "text/csv");

        act.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public async Task FromStreamAsync_CopiesTheDataNow()
    {
        using var source = new MemoryStream([1, 2, 3]);
        var blob = await Blob.FromStreamAsync(source, "application/octet-stream");
        source.SetLength(0);

        blob.FilePath.Should().BeNull();
        (await blob.ReadAllBytesAsync()).ToArray().Should().Equal(1, 2, 3);
        using var read = blob.OpenRead();
        read.Length.Should().Be(3);
    }

    [Fact]
    public void FromBytes_WithoutMediaType_Throws()
    {
        var act = () => Blob.FromBytes(new byte[] { 1 }, " ");

        act.Should().Throw<ArgumentException>();
    }
}
