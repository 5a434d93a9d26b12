using SkiaSharp;

namespace LabThings.Examples;

/// <summary>
/// Renders synthetic camera frames (a moving test pattern) and encodes them as JPEG.
/// </summary>
/// <remarks>
/// <para>
/// Each frame shows colour bars that scroll sideways with the frame number, a static strip of
/// grey steps, a ball that bounces around the frame, and the frame number drawn in large
/// seven-segment digits in the top-left corner. The same frame number always produces the
/// same image, so a viewer can tell whether frames are dropped or repeated.
/// </para>
/// <para>
/// Nothing here uses fonts or text APIs: the digits are built from rectangles. That keeps the
/// example working with <c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>, which has no
/// fontconfig and therefore no system fonts.
/// </para>
/// <para>
/// The pixel buffer, canvas and paints are allocated once and reused for every frame. This
/// class is not thread-safe: serialise calls to <see cref="Render(long, float)"/>, for example by
/// owning one renderer per capture loop.
/// </para>
/// </remarks>
public sealed class TestPatternRenderer : IDisposable
{
    // Seven-segment encoding, bit 0 = a (top), 1 = b (top right), 2 = c (bottom right),
    // 3 = d (bottom), 4 = e (bottom left), 5 = f (top left), 6 = g (middle).
    private static ReadOnlySpan<byte> DigitSegments =>
    [
        0b0111111, // 0
        0b0000110, // 1
        0b1011011, // 2
        0b1001111, // 3
        0b1100110, // 4
        0b1101101, // 5
        0b1111101, // 6
        0b0000111, // 7
        0b1111111, // 8
        0b1101111, // 9
    ];

    // 75 % colour bars (white, yellow, cyan, green, magenta, red, blue) as 0xAARRGGBB.
    private static ReadOnlySpan<uint> BarColors =>
    [
        0xFFC0C0C0,
        0xFFC0C000,
        0xFF00C0C0,
        0xFF00C000,
        0xFFC000C0,
        0xFFC00000,
        0xFF0000C0,
    ];

    // The counter-bars strip under the main bars (blue, black, magenta, black, cyan, black, grey).
    private static ReadOnlySpan<uint> CounterBarColors =>
    [
        0xFF0000C0,
        0xFF101010,
        0xFFC000C0,
        0xFF101010,
        0xFF00C0C0,
        0xFF101010,
        0xFFC0C0C0,
    ];

    private const float BarsBottom = 0.62f;        // main bars: top of the frame down to here
    private const float CounterBarsBottom = 0.72f; // counter bars below that; grey steps fill the rest
    private const int GreySteps = 8;
    private const int MinimumDigits = 6;
    private const int MaximumDigits = 20; // 19 digits of a long plus a minus sign.
    private const int MaximumDimension = 16384;

    private readonly SKBitmap _bitmap;
    private readonly SKCanvas _canvas;
    private readonly SKPixmap _pixmap;
    private readonly SKJpegEncoderOptions _jpegOptions;
    private readonly SKPaint _fill;
    private readonly SKPaint _stroke;
    private readonly SKPaint _ball;
    private readonly int[] _digits = new int[MaximumDigits];
    private bool _disposed;

    /// <summary>
    /// Creates a renderer for frames of the given size and JPEG quality.
    /// </summary>
    /// <param name="width">Frame width in pixels (1 to 16384).</param>
    /// <param name="height">Frame height in pixels (1 to 16384).</param>
    /// <param name="quality">JPEG quality, from 0 (smallest) to 100 (best).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="width"/>, <paramref name="height"/> or <paramref name="quality"/> is out of range.
    /// </exception>
    public TestPatternRenderer(int width = 640, int height = 480, int quality = 80)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaximumDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaximumDimension);
        ArgumentOutOfRangeException.ThrowIfNegative(quality);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);

        Width = width;
        Height = height;
        _jpegOptions = new SKJpegEncoderOptions(
            quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore);

        var info = new SKImageInfo(width, height, SKImageInfo.PlatformColorType, SKAlphaType.Opaque);
        _bitmap = new SKBitmap(info);
        try
        {
            _canvas = new SKCanvas(_bitmap);
            // The bitmap owns its pixels and is never reallocated, so one pixmap stays valid.
            _pixmap = _bitmap.PeekPixels()
                ?? throw new InvalidOperationException("SkiaSharp did not expose the bitmap's pixels.");
        }
        catch
        {
            _canvas?.Dispose();
            _bitmap.Dispose();
            throw;
        }

        _fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        _stroke = new SKPaint { Style = SKPaintStyle.Stroke, IsAntialias = true, Color = SKColors.White };
        _ball = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
    }

    /// <summary>Gets the frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Gets the frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>
    /// Renders frame <paramref name="frameNumber"/> of the moving test pattern and returns it as JPEG bytes.
    /// </summary>
    /// <remarks>
    /// The colour bars scroll and the ball moves as the frame number increases; the frame number
    /// itself is drawn as seven-segment digits in the top-left corner (zero-padded to six digits,
    /// with a leading minus sign for negative numbers). Rendering is deterministic. Not thread-safe.
    /// </remarks>
    /// <param name="frameNumber">The frame number to draw; it also drives the animation.</param>
    /// <param name="blurSigma">How out of focus the picture is: the Gaussian blur's sigma in pixels (0: sharp).</param>
    /// <returns>A complete JPEG file (starting with <c>FF D8</c> and ending with <c>FF D9</c>).</returns>
    /// <exception cref="ObjectDisposedException">The renderer has been disposed.</exception>
    /// <exception cref="InvalidOperationException">SkiaSharp failed to encode the frame.</exception>
    public byte[] Render(long frameNumber, float blurSigma = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        _canvas.Clear(SKColors.Black);
        DrawBars(frameNumber);
        DrawGreySteps();
        DrawBall(frameNumber);
        DrawBorder();
        DrawFrameNumber(frameNumber);
        if (blurSigma > 0.01f)
        {
            // The filter is disposed with the frame: Skia caches each filter's results (a blurred copy of the frame)
            // until the filter is destroyed, and an undisposed filter lives until the GC finalizes it, which at this
            // allocation rate took long enough for the cache to hold over 100 MiB of native memory.
            using var sharp = SKImage.FromPixelCopy(_pixmap);
            using var filter = SKImageFilter.CreateBlur(blurSigma, blurSigma, SKShaderTileMode.Clamp);
            using var blur = new SKPaint { ImageFilter = filter };
            _canvas.DrawImage(sharp, 0, 0, SKSamplingOptions.Default, blur);
        }

        using var data = _pixmap.Encode(_jpegOptions)
            ?? throw new InvalidOperationException("SkiaSharp failed to encode the frame as JPEG.");
        return data.ToArray();
    }

    /// <summary>Releases the pixel buffer, canvas and paints. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _ball.Dispose();
        _stroke.Dispose();
        _fill.Dispose();
        _pixmap.Dispose();
        _canvas.Dispose();
        _bitmap.Dispose();
    }

    private void DrawBars(long frameNumber)
    {
        float barsBottom = Height * BarsBottom;
        float counterBottom = Height * CounterBarsBottom;
        float barWidth = (float)Width / BarColors.Length;

        // Scroll by 1/160 of the width per frame (4 px at 640 wide), wrapping around.
        long step = Math.Max(1, Width / 160);
        float offset = Mod(Mod(frameNumber, Width) * step, Width); // no overflow for huge frame numbers

        for (var i = 0; i < BarColors.Length; i++)
        {
            float left = (i * barWidth) + offset;
            if (left >= Width)
            {
                left -= Width;
            }

            _fill.Color = new SKColor(BarColors[i]);
            // Overlap neighbouring bars by a pixel so rounding never leaves a seam.
            _canvas.DrawRect(SKRect.Create(left, 0, barWidth + 1, barsBottom), _fill);
            if (left + barWidth > Width)
            {
                _canvas.DrawRect(SKRect.Create(left - Width, 0, barWidth + 1, barsBottom), _fill);
            }
        }

        for (var i = 0; i < CounterBarColors.Length; i++)
        {
            _fill.Color = new SKColor(CounterBarColors[i]);
            _canvas.DrawRect(
                SKRect.Create(i * barWidth, barsBottom, barWidth + 1, counterBottom - barsBottom), _fill);
        }
    }

    private void DrawGreySteps()
    {
        float top = Height * CounterBarsBottom;
        float stepWidth = (float)Width / GreySteps;
        for (var i = 0; i < GreySteps; i++)
        {
            var level = (byte)(i * 255 / (GreySteps - 1));
            _fill.Color = new SKColor(level, level, level);
            _canvas.DrawRect(SKRect.Create(i * stepWidth, top, stepWidth + 1, Height - top), _fill);
        }
    }

    private void DrawBall(long frameNumber)
    {
        float radius = Math.Max(2f, Math.Min(Width, Height) / 12f);
        float rangeX = Width - (2 * radius);
        float rangeY = Height - (2 * radius);
        // Bounce between the edges, starting in the centre. Speeds scale with the frame size
        // (5 and 3 px per frame at 640x480) and differ so the path sweeps the whole frame.
        float x = radius + Bounce((frameNumber * (Width / 128.0)) + (rangeX / 2), rangeX);
        float y = radius + Bounce((frameNumber * (Height / 160.0)) + (rangeY / 2), rangeY);

        _ball.Color = new SKColor(0xFFFF8000);
        _canvas.DrawCircle(x, y, radius, _ball);
        _ball.Color = SKColors.Black;
        _canvas.DrawCircle(x, y, radius * 0.35f, _ball);
        _stroke.StrokeWidth = Math.Max(1f, radius * 0.1f);
        _canvas.DrawCircle(x, y, radius, _stroke);
    }

    private void DrawBorder()
    {
        _stroke.StrokeWidth = 2;
        _canvas.DrawRect(SKRect.Create(1, 1, Width - 2, Height - 2), _stroke);
    }

    private void DrawFrameNumber(long frameNumber)
    {
        // Collect decimal digits, least significant first, without allocating a string.
        ulong magnitude = frameNumber < 0 ? (ulong)(-(frameNumber + 1)) + 1 : (ulong)frameNumber;
        var count = 0;
        do
        {
            _digits[count++] = (int)(magnitude % 10);
            magnitude /= 10;
        }
        while (magnitude != 0);

        while (count < MinimumDigits)
        {
            _digits[count++] = 0;
        }

        bool negative = frameNumber < 0;
        int glyphs = count + (negative ? 1 : 0);

        // Digits are about a seventh of the frame height, shrunk if they would not fit the width.
        float margin = Math.Max(2f, Height / 40f);
        float digitHeight = Height / 7f;
        float digitWidth = digitHeight * 0.55f;
        float spacing = digitWidth * 0.3f;
        float available = Width - (4 * margin);
        float needed = (glyphs * digitWidth) + ((glyphs - 1) * spacing);
        if (needed > available)
        {
            float scale = available / needed;
            digitHeight *= scale;
            digitWidth *= scale;
            spacing *= scale;
            needed = available;
        }

        _fill.Color = new SKColor(0xE0000000);
        _canvas.DrawRect(
            SKRect.Create(margin, margin, needed + (2 * margin), digitHeight + (2 * margin)), _fill);

        _fill.Color = new SKColor(0xFF40FF40);
        float x = 2 * margin;
        float y = 2 * margin;
        if (negative)
        {
            DrawSegments(0b1000000, x, y, digitWidth, digitHeight);
            x += digitWidth + spacing;
        }

        for (int i = count - 1; i >= 0; i--)
        {
            DrawSegments(DigitSegments[_digits[i]], x, y, digitWidth, digitHeight);
            x += digitWidth + spacing;
        }
    }

    private void DrawSegments(int segments, float x, float y, float w, float h)
    {
        float t = Math.Max(1f, w * 0.2f); // segment thickness
        float gap = t * 0.15f;            // small gap between segments, as on a real display
        float middle = (h - t) / 2;

        // Horizontal segments: a (top), g (middle), d (bottom).
        if ((segments & 0b0000001) != 0)
        {
            FillRect(x + t + gap, y, w - (2 * (t + gap)), t);
        }

        if ((segments & 0b1000000) != 0)
        {
            FillRect(x + t + gap, y + middle, w - (2 * (t + gap)), t);
        }

        if ((segments & 0b0001000) != 0)
        {
            FillRect(x + t + gap, y + h - t, w - (2 * (t + gap)), t);
        }

        // Vertical segments: f and b (upper half), e and c (lower half). They start half a
        // thickness in from the ends so the corners are filled, and leave a gap at the middle.
        float upperTop = y + (t / 2) + gap;
        float upperHeight = (y + (h / 2) - (gap / 2)) - upperTop;
        float lowerTop = y + (h / 2) + (gap / 2);
        float lowerHeight = (y + h - (t / 2) - gap) - lowerTop;

        if ((segments & 0b0100000) != 0)
        {
            FillRect(x, upperTop, t, upperHeight);
        }

        if ((segments & 0b0000010) != 0)
        {
            FillRect(x + w - t, upperTop, t, upperHeight);
        }

        if ((segments & 0b0010000) != 0)
        {
            FillRect(x, lowerTop, t, lowerHeight);
        }

        if ((segments & 0b0000100) != 0)
        {
            FillRect(x + w - t, lowerTop, t, lowerHeight);
        }
    }

    private void FillRect(float x, float y, float w, float h) =>
        _canvas.DrawRect(SKRect.Create(x, y, w, h), _fill);

    private static long Mod(long value, long modulus)
    {
        long r = value % modulus;
        return r < 0 ? r + modulus : r;
    }

    // Triangle wave: position in [0, range] that moves at one unit per unit of distance and bounces at the ends.
    private static float Bounce(double distance, float range)
    {
        if (range <= 0)
        {
            return 0;
        }

        double period = 2.0 * range;
        double p = distance % period;
        if (p < 0)
        {
            p += period;
        }

        return (float)(p <= range ? p : period - p);
    }
}
