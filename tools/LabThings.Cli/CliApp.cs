using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using LabThings.Client;

namespace LabThings.Cli;

/// <summary>
/// The <c>labthings</c> command line: parses the arguments with System.CommandLine, runs one command against a Thing
/// with <see cref="ThingClient"/>, and returns the exit code (<see cref="ExitCodes"/>). Everything it prints goes to the
/// console's writers, so the tests run it in-process.
/// </summary>
internal static class CliApp
{
    /// <summary>The default of <c>--timeout</c>, in seconds.</summary>
    public const double DefaultTimeoutSeconds = 30;

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments, as a shell passes them.</param>
    /// <param name="console">Where to write, and what the terminal is.</param>
    /// <param name="cancellationToken">Ctrl+C: cancels the command (an invocation on the Thing too) and makes the exit code <see cref="ExitCodes.Cancelled"/>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var root = Build(console);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"labthings: {error.Message}").ConfigureAwait(false);
            }

            var command = string.Join(' ', parse.CommandResult.Command is RootCommand ? ["labthings"] : new[] { "labthings", parse.CommandResult.Command.Name });
            await console.Error.WriteLineAsync($"Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Program.Main turns Ctrl+C and SIGTERM into the cancellation token, so that an invocation is cancelled on the
            // Thing before the process ends, however long that takes.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand Build(CliConsole console)
    {
        var options = new GlobalOptions();
        var root = new RootCommand(
            "labthings: a command line for W3C Web of Things Things over HTTP (LabThings servers, or any Thing with a TD 1.1). "
            + "THING is the address of a Thing's description, such as http://127.0.0.1:5000/light/. "
            + "Exit codes: 0 success, 1 action failed, 2 usage, 3 refused by the server, 4 no answer, 5 answer not understood, 130 interrupted.");
        options.AddTo(root);

        var commands = new Commands(console, options);
        foreach (var command in commands.All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>An argument naming a Thing (or server) by its absolute http(s) URL.</summary>
    public static Argument<Uri> UrlArgument(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            {
                return url;
            }

            result.AddError($"{name} must be an http:// or https:// URL, such as http://127.0.0.1:5000/light/; not '{text}'.");
            return null;
        },
    };

    /// <summary>The options every command takes.</summary>
    internal sealed class GlobalOptions
    {
        public Option<bool> Json { get; } = new("--json")
        {
            Description = "Print JSON for scripts: the bare value for read and invoke, one JSON value per line for observe and events.",
            Recursive = true,
        };

        public Option<string?> User { get; } = new("--user", "-u")
        {
            Description = "User name for HTTP Basic authentication; the password comes from --password, LABTHINGS_PASSWORD, or is asked for at the terminal.",
            HelpName = "NAME",
            Recursive = true,
        };

        public Option<string?> Password { get; } = new("--password")
        {
            Description = "Password for --user (visible to other users of this computer: prefer LABTHINGS_PASSWORD or the prompt).",
            HelpName = "PASSWORD",
            Recursive = true,
        };

        public Option<string?> Token { get; } = new("--token")
        {
            Description = "Bearer token (default: LABTHINGS_TOKEN).",
            HelpName = "TOKEN",
            Recursive = true,
        };

        public Option<double> Timeout { get; } = new("--timeout")
        {
            Description = "Seconds to wait for each answer from the server (an action or an observation may run longer).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => DefaultTimeoutSeconds,
            Recursive = true,
        };

        public GlobalOptions()
        {
            Timeout.CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= int.MaxValue / 1000)
                {
                    return seconds;
                }

                result.AddError($"--timeout must be a number of seconds above 0; not '{text}'.");
                return DefaultTimeoutSeconds;
            };
        }

        public void AddTo(Command command)
        {
            command.Options.Add(Json);
            command.Options.Add(User);
            command.Options.Add(Password);
            command.Options.Add(Token);
            command.Options.Add(Timeout);
        }

        /// <summary>The settings; credentials from the options, else the environment, else a prompt.</summary>
        /// <exception cref="CliException">The credentials contradict each other, or a password is missing.</exception>
        public Settings Read(ParseResult parse, CliConsole console)
        {
            var user = parse.GetValue(User);
            var password = parse.GetValue(Password);
            var token = parse.GetValue(Token);
            if (user is not null && token is not null)
            {
                throw new CliException(ExitCodes.Usage, "Give --user (Basic) or --token (bearer), not both.");
            }

            if (password is not null && user is null)
            {
                throw new CliException(ExitCodes.Usage, "--password needs --user.");
            }

            if (user is not null)
            {
                password ??= console.Variable("LABTHINGS_PASSWORD")
                    ?? console.ReadPassword?.Invoke($"Password for {user}: ")
                    ?? throw new CliException(ExitCodes.Usage, $"No password for '{user}': give --password, set LABTHINGS_PASSWORD, or run at a terminal to be asked.");
            }
            else
            {
                token ??= console.Variable("LABTHINGS_TOKEN");
            }

            ThingCredentials? credentials;
            try
            {
                credentials = user is not null ? ThingCredentials.Basic(user, password!) : token is not null ? ThingCredentials.Bearer(token) : null;
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCodes.Usage, e.Message);
            }

            return new Settings(parse.GetValue(Json), TimeSpan.FromSeconds(parse.GetValue(Timeout)), credentials);
        }
    }
}
