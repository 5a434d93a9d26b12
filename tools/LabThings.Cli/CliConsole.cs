namespace LabThings.Cli;

/// <summary>Where <c>labthings</c> writes and what it knows of its surroundings; the tests pass their own.</summary>
/// <param name="Out">Standard output: the results.</param>
/// <param name="Error">Standard error: progress, messages and problems.</param>
/// <param name="ErrorIsTerminal">Whether <paramref name="Error"/> is a terminal (then <c>invoke</c> draws a progress bar on it).</param>
/// <param name="Environment">Reads an environment variable (<c>LABTHINGS_PASSWORD</c>, <c>LABTHINGS_TOKEN</c>); null reads none.</param>
/// <param name="ReadPassword">Asks for a password at the terminal without echoing it; null when there is no terminal to ask at.</param>
internal sealed record CliConsole(
    TextWriter Out,
    TextWriter Error,
    bool ErrorIsTerminal = false,
    Func<string, string?>? Environment = null,
    Func<string, string?>? ReadPassword = null)
{
    /// <summary>The process's own console.</summary>
    public static CliConsole ForProcess() => new(
        Console.Out,
        Console.Error,
        ErrorIsTerminal: !Console.IsErrorRedirected && System.Environment.GetEnvironmentVariable("TERM") != "dumb",
        Environment: System.Environment.GetEnvironmentVariable,
        ReadPassword: Console.IsInputRedirected || Console.IsErrorRedirected ? null : PromptPassword);

    public string? Variable(string name) => Environment?.Invoke(name) is { Length: > 0 } value ? value : null;

    private static string? PromptPassword(string prompt)
    {
        Console.Error.Write(prompt);
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
