using System.CommandLine;
using System.Text.Json;
using LabThings.Client;

namespace LabThings.Cli;

/// <summary>The commands: each parses its arguments, opens the Thing and does one thing with it.</summary>
internal sealed partial class Commands(CliConsole console, CliApp.GlobalOptions options)
{
    private TextWriter Out => console.Out;

    public IEnumerable<Command> All() => [List(), Td(), Read(), Write(), Invoke(), Observe(), Events(), Snapshot()];

    private Command Td()
    {
        var thingUrl = ThingArgument();
        return Define("td", "Print a Thing's description (TD), indented; with --json on one line.", [thingUrl], [], async (parse, session, cancellationToken) =>
        {
            var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
            await Out.WriteLineAsync(session.Settings.Json ? Output.Json(thing.Description) : Output.Pretty(thing.Description)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
    }

    private Command Read()
    {
        var thingUrl = ThingArgument();
        var property = NameArgument("PROPERTY", "The property's name, as in the TD.");
        return Define("read", "Print a property's value (with its unit); with --json the bare JSON value.", [thingUrl, property], [], async (parse, session, cancellationToken) =>
        {
            var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
            var name = Require(thing, "property", parse.GetValue(property)!);
            var value = await thing.ReadPropertyAsync(name, cancellationToken).ConfigureAwait(false);
            await Out.WriteLineAsync(session.Settings.Json ? Output.Json(value) : Output.Text(value, Schema(thing, "properties", name))).ConfigureAwait(false);
            return ExitCodes.Success;
        });
    }

    private Command Write()
    {
        var thingUrl = ThingArgument();
        var property = NameArgument("PROPERTY", "The property's name, as in the TD.");
        var json = new Argument<string>("JSON") { Description = "The new value as JSON: 37, true, '\"text\"', '{\"x\": 1}'." };
        return Define("write", "Write a property's value. Prints what was written; nothing with --json.", [thingUrl, property, json], [], async (parse, session, cancellationToken) =>
        {
            var value = ParseJson(parse.GetValue(json)!, "JSON");
            var thing = await session.OpenAsync(parse.GetValue(thingUrl)!, cancellationToken).ConfigureAwait(false);
            var name = Require(thing, "property", parse.GetValue(property)!);
            await thing.WritePropertyAsync(name, value, cancellationToken).ConfigureAwait(false);
            if (!session.Settings.Json)
            {
                await Out.WriteLineAsync($"{name} = {Output.Text(value, Schema(thing, "properties", name), multiline: false)}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
    }

    /// <summary>A command whose action runs <paramref name="body"/> in a session with the global settings, failures turned into exit codes.</summary>
    private Command Define(
        string name, string description, Argument[] arguments, Option[] commandOptions, Func<ParseResult, Session, CancellationToken, Task<int>> body)
    {
        var command = new Command(name, description);
        foreach (var argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        foreach (var option in commandOptions)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => Failures.GuardAsync(
            console,
            TimeSpan.FromSeconds(parse.GetValue(options.Timeout)),
            async () =>
            {
                using var session = new Session(options.Read(parse, console));
                return await body(parse, session, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken));
        return command;
    }

    private static Argument<Uri> ThingArgument()
        => CliApp.UrlArgument("THING", "The Thing's URL: the address of its description, such as http://127.0.0.1:5000/light/.");

    private static Argument<string> NameArgument(string name, string description) => new(name) { Description = description };

    /// <summary>The name, when the Thing has such an affordance.</summary>
    /// <exception cref="CliException">It has not: the message lists the names it has.</exception>
    private static string Require(ThingClient thing, string kind, string name)
    {
        var names = kind switch
        {
            "property" => thing.Properties,
            "action" => thing.Actions,
            _ => thing.Events,
        };
        if (names.Contains(name, StringComparer.Ordinal))
        {
            return name;
        }

        var plural = kind == "property" ? "properties" : kind + "s";
        var who = thing.Title.Length > 0 ? $"'{thing.Title}'" : "The Thing";
        var known = names.Count == 0 ? $"It has no {plural}." : $"Its {plural}: {string.Join(", ", names)}.";
        throw new CliException(ExitCodes.Usage, $"{who} has no {kind} named '{name}'. {known}");
    }

    /// <summary>An affordance's schema: a property itself, an action's <c>output</c>, an event's <c>data</c>.</summary>
    private static JsonElement Schema(ThingClient thing, string kind, string name, string? member = null)
    {
        var affordance = Output.Member(thing.Description, kind, name);
        return member is null ? affordance : Output.Member(affordance, member);
    }

    /// <summary>A JSON argument, parsed.</summary>
    /// <exception cref="CliException">It is not JSON.</exception>
    private static JsonElement ParseJson(string text, string argument)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            var hint = text.Length > 0 && !text.TrimStart().StartsWith('"') && !text.TrimStart().StartsWith('{') && !text.TrimStart().StartsWith('[')
                ? $" A string needs JSON quotes inside the shell's: '\"{text}\"'."
                : "";
            throw new CliException(ExitCodes.Usage, $"{argument} is not JSON: {text}.{hint}");
        }
    }

    /// <summary>Writes a file, turning the file system's refusals into a message.</summary>
    private static async Task WriteFileAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllBytesAsync(path, data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(ExitCodes.Failed, $"could not write {path}: {ex.Message}");
        }
    }
}
