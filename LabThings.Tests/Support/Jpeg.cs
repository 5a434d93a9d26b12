using SkiaSharp;

namespace LabThings.Tests.Support;

/// <summary>Checks that bytes are a real, decodable JPEG image.</summary>
internal static class Jpeg
{
    /// <summary>Decodes <paramref name="data"/> and returns its size; fails the test if it is not a valid JPEG.</summary>
    public static (int Width, int Height) Decode(byte[] data)
    {
        data.Length.Should().BeGreaterThan(4);
        data[0].Should().Be(0xFF);
        data[1].Should().Be(0xD8);
        data[^2].Should().Be(0xFF);
        data[^1].Should().Be(0xD9);
        using var codec = SKCodec.Create(new SKMemoryStream(data));
        codec.Should().NotBeNull("the bytes should be a decodable image");
        codec!.EncodedFormat.Should().Be(SKEncodedImageFormat.Jpeg);
        using var bitmap = SKBitmap.Decode(data);
        bitmap.Should().NotBeNull("the JPEG should decode");
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>A tiny valid JPEG of the given size and colour.</summary>
    public static byte[] Make(int width = 16, int height = 8, byte shade = 128)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(shade, shade, shade));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 80);
        return data.ToArray();
    }
}
