using System.Globalization;
using System.Text.RegularExpressions;

namespace LabThings.Cameras.Ffmpeg;

/// <summary>The settings one FFmpeg run uses, read from the camera at start.</summary>
internal sealed record CaptureSettings(string Input, string InputFormat, string Resolution, double FrameRate, int JpegQuality);

/// <summary>Builds FFmpeg's command line for a run: the input options that suit the kind of input, and MJPEG on standard output.</summary>
internal static partial class FfmpegArguments
{
    /// <summary>The input format a run uses: the one given, else <c>v4l2</c> for <c>/dev/video*</c>, else empty (FFmpeg guesses).</summary>
    public static string EffectiveFormat(CaptureSettings settings)
        => settings.InputFormat.Length > 0 ? settings.InputFormat
            : settings.Input.StartsWith("/dev/video", StringComparison.Ordinal) ? "v4l2"
            : "";

    /// <summary>Parses <c>WIDTHxHEIGHT</c>; null for empty.</summary>
    /// <exception cref="ArgumentException">Not empty and not of that form.</exception>
    public static (int Width, int Height)? ParseResolution(string resolution)
    {
        if (resolution.Length == 0)
        {
            return null;
        }

        var match = ResolutionPattern().Match(resolution);
        return match.Success
            ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : throw new ArgumentException($"The resolution '{resolution}' is not of the form WIDTHxHEIGHT (e.g. 640x480).", nameof(resolution));
    }

    /// <summary>FFmpeg's MJPEG quantiser (<c>-q:v</c>, 2 best to 31 worst) for a quality from 1 to 100.</summary>
    public static int Quantiser(int quality)
        => 2 + (int)Math.Round((100 - Math.Clamp(quality, 1, 100)) * 29 / 99.0, MidpointRounding.AwayFromZero);

    /// <summary>Whether FFmpeg's list of a V4L2 device's formats (<c>-list_formats compressed</c>) offers MJPEG.</summary>
    public static bool OffersMjpeg(string formatList)
        => formatList.Split('\n').Any(line => line.Contains("Compressed", StringComparison.OrdinalIgnoreCase)
                                              && line.Contains("mjpeg", StringComparison.OrdinalIgnoreCase));

    /// <summary>The arguments that list a V4L2 device's compressed formats (FFmpeg prints them on standard error).</summary>
    public static IReadOnlyList<string> ListV4l2Formats(string device)
        => ["-hide_banner", "-nostdin", "-f", "v4l2", "-list_formats", "compressed", "-i", device];

    /// <summary>The arguments of a run.</summary>
    /// <param name="settings">What to read and how.</param>
    /// <param name="copyCameraMjpeg">The input is a V4L2 device that offers MJPEG: ask it for MJPEG and pass its frames on unchanged.</param>
    /// <exception cref="ArgumentException">The resolution is malformed.</exception>
    public static IReadOnlyList<string> Build(CaptureSettings settings, bool copyCameraMjpeg)
    {
        var size = ParseResolution(settings.Resolution);
        var format = EffectiveFormat(settings);
        var rate = settings.FrameRate > 0 ? settings.FrameRate.ToString("0.###", CultureInfo.InvariantCulture) : null;
        var sizeText = size is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.Width}x{s.Height}") : null;

        // No banner or progress lines; warnings and errors go to standard error, which the camera logs.
        var args = new List<string> { "-hide_banner", "-nostats", "-loglevel", "warning" };
        var encodeFilters = new List<string>();
        switch (format)
        {
            case "v4l2":
                // A device is asked for the size and rate itself, so nothing needs scaling afterwards.
                args.AddRange(["-f", "v4l2"]);
                if (copyCameraMjpeg)
                {
                    args.AddRange(["-input_format", "mjpeg"]);
                }

                AddIf(args, "-video_size", sizeText);
                AddIf(args, "-framerate", rate);
                break;

            case "lavfi":
                // A generated source runs as fast as it can unless paced at its own rate.
                args.AddRange(["-re", "-f", "lavfi"]);
                AddScaleAndRate(encodeFilters, size, rate);
                break;

            default:
                if (format.Length > 0)
                {
                    args.AddRange(["-f", format]);
                }

                if (IsNetwork(settings.Input, out var scheme))
                {
                    // Give up on a silent camera after 5 s (FFmpeg then exits and the camera restarts it).
                    args.AddRange(scheme.StartsWith("rtsp", StringComparison.Ordinal)
                        ? ["-rtsp_transport", "tcp", "-timeout", "5000000"]
                        : ["-rw_timeout", "5000000"]);
                }
                else if (format.Length == 0)
                {
                    // A file: play it at its own speed, over and over.
                    args.AddRange(["-re", "-stream_loop", "-1"]);
                }

                AddScaleAndRate(encodeFilters, size, rate);
                break;
        }

        args.AddRange(["-i", settings.Input, "-map", "0:v:0", "-an", "-sn", "-dn"]);
        if (copyCameraMjpeg)
        {
            args.AddRange(["-c:v", "copy"]);
        }
        else
        {
            if (encodeFilters.Count > 0)
            {
                args.AddRange(["-vf", string.Join(',', encodeFilters)]);
            }

            args.AddRange(["-c:v", "mjpeg", "-q:v", Quantiser(settings.JpegQuality).ToString(CultureInfo.InvariantCulture)]);
        }

        // Each frame is written to the pipe as soon as it is encoded.
        args.AddRange(["-f", "mjpeg", "-flush_packets", "1", "pipe:1"]);
        return args;
    }

    private static void AddScaleAndRate(List<string> filters, (int Width, int Height)? size, string? rate)
    {
        if (rate is not null)
        {
            filters.Add("fps=" + rate);
        }

        if (size is { } s)
        {
            filters.Add(string.Create(CultureInfo.InvariantCulture, $"scale={s.Width}:{s.Height}"));
        }
    }

    private static bool IsNetwork(string input, out string scheme)
    {
        var colon = input.IndexOf("://", StringComparison.Ordinal);
        scheme = colon > 0 ? input[..colon].ToLowerInvariant() : "";
        return scheme is "rtsp" or "rtsps" or "http" or "https" or "rtmp" or "tcp" or "udp" or "srt";
    }

    private static void AddIf(List<string> args, string option, string? value)
    {
        if (value is not null)
        {
            args.AddRange([option, value]);
        }
    }

    [GeneratedRegex(@"^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex ResolutionPattern();
}
