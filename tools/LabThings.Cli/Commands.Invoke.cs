using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace LabThings.Cli;

internal sealed partial class Commands
{
    private Command Invoke()
    {
        var thingUrl = ThingArgument();
        var action = NameArgument("ACTION", "The action's name, as in the TD.");
        var input = new Argument<string?>("JSON")
        {
            Description = "The input as JSON, such as '{\"increments\": 5}'. Without it, an action whose input is an object gets {}.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Save a file output (a link to a blob, such as a camera's capture) to this file instead of printing the link.",
            HelpName = "FILE",
        };
        return Define(
            "invoke",
            "Invoke an action, wait for it to end and print its output; with --json the bare JSON output. "
            + "A progress bar runs on standard error when it is a terminal. Ctrl+C cancels the invocation on the Thing (exit code 130).",
            [thingUrl, action, input],
            [output],
            async (parse, session, cancellationToken) =>
            {
                var inputText = parse.GetValue(input);
                JsonElement? inputValue = inputText is null ? null : ParseJson(inputText, "JSON");
                var file = parse.GetValue(output);
                var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
                var name = Require(thing, "action", parse.GetValue(action)!);

                JsonElement result;
                var bar = new ProgressBar(console.Error, name, enabled: console.ErrorIsTerminal);
                try
                {
                    result = await thing.InvokeActionAsync(name, inputValue, bar, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new CliException(ExitCodes.Cancelled, $"interrupted: the invocation of '{name}' was cancelled on the Thing.");
                }
                finally
                {
                    await bar.DisposeAsync().ConfigureAwait(false);
                }

                if (file is not null)
                {
                    if (Output.String(result, "href") is null && result.ValueKind != JsonValueKind.String)
                    {
                        throw new CliException(ExitCodes.BadAnswer, $"The output of '{name}' is not a file (a link with an href), so --output has nothing to save: {Output.Json(result)}");
                    }

                    var content = await thing.DownloadAsync(result, cancellationToken).ConfigureAwait(false);
                    await WriteFileAsync(file, content.Data, cancellationToken).ConfigureAwait(false);
                    await Out.WriteLineAsync(session.Settings.Json
                        ? Output.Json(new Dictionary<string, object> { ["file"] = Path.GetFullPath(file), ["bytes"] = content.Data.Length, ["media_type"] = content.MediaType })
                        : string.Create(CultureInfo.InvariantCulture, $"Saved {content.Data.Length} bytes ({content.MediaType}) to {file}.")).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                if (session.Settings.Json)
                {
                    await Out.WriteLineAsync(Output.Json(result)).ConfigureAwait(false);
                }
                else if (result.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    await Out.WriteLineAsync("Done (no output).").ConfigureAwait(false);
                }
                else
                {
                    await Out.WriteLineAsync(Output.Text(result, Schema(thing, "actions", name, "output"))).ConfigureAwait(false);
                    if (Output.String(result, "href") is not null && Output.String(result, "media_type") is not null)
                    {
                        await console.Error.WriteLineAsync("(The output is a file: save it with --output FILE.)").ConfigureAwait(false);
                    }
                }

                return ExitCodes.Success;
            });
    }
}
