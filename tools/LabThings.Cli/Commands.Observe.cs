using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LabThings.Client;

namespace LabThings.Cli;

internal sealed partial class Commands
{
    private Command Observe()
    {
        var thingUrl = ThingArgument();
        var property = NameArgument("PROPERTY", "The property's name, as in the TD.");
        var count = CountOption();
        return Define(
            "observe",
            "Print each new value of a property, one line each with the time, until Ctrl+C (or --count values); with --json one JSON value per line.",
            [thingUrl, property],
            [count],
            async (parse, session, cancellationToken) =>
            {
                var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
                var name = Require(thing, "property", parse.GetValue(property)!);
                return await FollowAsync(
                    thing.ObservePropertyAsync(name, cancellationToken), Schema(thing, "properties", name), session, parse.GetValue(count), $"{name} of {Describe(thing)}")
                    .ConfigureAwait(false);
            });
    }

    private Command Events()
    {
        var thingUrl = ThingArgument();
        var thingEvent = NameArgument("EVENT", "The event's name, as in the TD.");
        var count = CountOption();
        return Define(
            "events",
            "Print each occurrence of an event, one line each with the time, until Ctrl+C (or --count events); with --json one JSON value per line.",
            [thingUrl, thingEvent],
            [count],
            async (parse, session, cancellationToken) =>
            {
                var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
                var name = Require(thing, "event", parse.GetValue(thingEvent)!);
                return await FollowAsync(
                    thing.SubscribeEventAsync(name, cancellationToken), Schema(thing, "events", name, "data"), session, parse.GetValue(count), $"'{name}' events of {Describe(thing)}")
                    .ConfigureAwait(false);
            });
    }

    private Command Snapshot()
    {
        var thingUrl = ThingArgument();
        var stream = NameArgument("STREAM", "The stream property's name, as in the TD (a LabThings camera's is 'stream').");
        var file = new Argument<string>("FILE") { Description = "The JPEG file to write (replaced if it exists)." };
        return Define(
            "snapshot",
            "Save the newest frame of a camera stream as a JPEG file: the property's snapshot when it has one, else the first frame of its MJPEG stream.",
            [thingUrl, stream, file],
            [],
            async (parse, session, cancellationToken) =>
            {
                var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
                var name = Require(thing, "property", parse.GetValue(stream)!);
                var frame = await FrameAsync(thing, name, cancellationToken).ConfigureAwait(false);
                var path = parse.GetValue(file)!;
                await WriteFileAsync(path, frame, cancellationToken).ConfigureAwait(false);
                await Out.WriteLineAsync(session.Settings.Json
                    ? Output.Json(new Dictionary<string, object> { ["file"] = Path.GetFullPath(path), ["bytes"] = frame.Length })
                    : string.Create(CultureInfo.InvariantCulture, $"Saved {frame.Length} bytes to {path}.")).ConfigureAwait(false);
                return ExitCodes.Success;
            });
    }

    private static Option<int?> CountOption() => new("--count", "-n")
    {
        Description = "Stop after this many (exit code 0).",
        HelpName = "N",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
            {
                return count;
            }

            result.AddError($"--count must be a whole number, 1 or more; not '{text}'.");
            return null;
        },
    };

    /// <summary>Prints each value as it comes; returns when <paramref name="count"/> have come.</summary>
    /// <exception cref="CliException">The server ended the stream first.</exception>
    private async Task<int> FollowAsync(IAsyncEnumerable<JsonElement> values, JsonElement schema, Session session, int? count, string what)
    {
        var seen = 0;
        if (console.ErrorIsTerminal && !session.Settings.Json)
        {
            await console.Error.WriteLineAsync($"Following {what} (Ctrl+C to stop).").ConfigureAwait(false);
        }

        await foreach (var value in values.ConfigureAwait(false))
        {
            await Out.WriteLineAsync(session.Settings.Json
                ? Output.Json(value)
                : $"{DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}  {Output.Text(value, schema, multiline: false)}").ConfigureAwait(false);
            await Out.FlushAsync().ConfigureAwait(false);
            if (++seen == count)
            {
                return ExitCodes.Success;
            }
        }

        throw new CliException(ExitCodes.Unreachable, "the server ended the stream.");
    }

    /// <summary>
    /// One frame of a stream property: its <c>readproperty</c> answer when that is binary (a LabThings stream's snapshot,
    /// which the client gives as base64, as the TD's <c>contentEncoding</c> says), else the first part of its multipart form.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> FrameAsync(ThingClient thing, string name, CancellationToken cancellationToken)
    {
        try
        {
            var value = await thing.ReadPropertyAsync(name, cancellationToken).ConfigureAwait(false);
            if (value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes) && bytes.Length > 0)
            {
                return bytes;
            }
        }
        catch (NotSupportedException)
        {
            // No readproperty form: try the stream.
        }

        try
        {
            await foreach (var frame in thing.ReadFramesAsync(name, cancellationToken).ConfigureAwait(false))
            {
                return frame;
            }
        }
        catch (NotSupportedException)
        {
            throw new CliException(ExitCodes.Usage, $"'{name}' is not a stream: its value is not an image, and it has no multipart (MJPEG) form.");
        }

        throw new CliException(ExitCodes.BadAnswer, $"The stream '{name}' ended before its first frame.");
    }

    private static string Describe(ThingClient thing) => thing.Title.Length > 0 ? $"'{thing.Title}'" : "the Thing";
}
