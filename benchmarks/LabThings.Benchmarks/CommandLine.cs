using System.Globalization;

namespace LabThings.Benchmarks;

/// <summary>
/// A deliberately small parser: one command word, then <c>--key value</c> pairs (or a bare <c>--flag</c>).
/// Unknown keys are an error, so a typo cannot silently fall back to a default.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandLine(string command) => Command = command;

    public string Command { get; }

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("The first argument is the command (mjpeg, properties or actions).");
        }

        var line = new CommandLine(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            var key = args[i];
            if (!key.StartsWith("--", StringComparison.Ordinal) || key.Length < 3)
            {
                throw new ArgumentException($"Expected --key, got '{key}'.");
            }

            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            line._values[key[2..]] = hasValue ? args[++i] : "true";
        }

        return line;
    }

    public string String(string key, string fallback)
    {
        _used.Add(key);
        return _values.TryGetValue(key, out var value) ? value : fallback;
    }

    public int Int(string key, int fallback)
        => int.Parse(String(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public double Double(string key, double fallback)
        => double.Parse(String(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public bool Flag(string key) => String(key, "false") == "true";

    public int[] IntList(string key, string fallback)
        => [.. String(key, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))];

    /// <summary>Throws if an option was given that no one asked for.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}.");
        }
    }
}
