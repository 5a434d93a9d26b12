using System.CommandLine;
using System.Numerics;

namespace LabThings.Benchmarks;

/// <summary>Option factories for the commands (System.CommandLine): defaults and bounds show in <c>--help</c>.</summary>
internal static class Cli
{
    /// <summary>An option with a default value.</summary>
    public static Option<T> Option<T>(string name, T defaultValue, string description)
        => new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>A number that must lie in [<paramref name="min"/>, <paramref name="max"/>]: every run is bounded on purpose.</summary>
    public static Option<T> Number<T>(string name, T defaultValue, T min, T max, string description)
        where T : INumber<T>
        => Check(Option(name, defaultValue, $"{description} ({min}–{max})"), v => v >= min && v <= max, $"{name} must be between {min} and {max}.");

    /// <summary>A comma-separated list of whole numbers in [<paramref name="min"/>, <paramref name="max"/>]; read it with <see cref="Ints"/>.</summary>
    public static Option<string> Counts(string name, string defaultValue, int min, int max, string description)
        => Check(
            Option(name, defaultValue, $"{description} (comma-separated, each {min}–{max})"),
            text => text.Split(',', StringSplitOptions.TrimEntries).All(s => int.TryParse(s, Report.Inv, out var n) && n >= min && n <= max),
            $"{name} takes whole numbers between {min} and {max}, separated by commas.");

    /// <summary>A comma-separated subset of <paramref name="all"/> (default: all of them); read it with <see cref="Names"/>.</summary>
    public static Option<string> Parts(string[] all, string description)
        => Check(Option("--only", string.Join(',', all), description), text => Names(text).All(all.Contains), $"--only takes some of {string.Join(", ", all)}, separated by commas.");

    /// <summary>Adds a validator to <paramref name="option"/>: its value must pass <paramref name="valid"/>.</summary>
    public static Option<T> Check<T>(Option<T> option, Func<T, bool> valid, string error)
    {
        option.Validators.Add(result =>
        {
            if (!valid(result.GetValueOrDefault<T>()))
            {
                result.AddError(error);
            }
        });
        return option;
    }

    /// <summary>The numbers of a <see cref="Counts"/> option, in the order given.</summary>
    public static int[] Ints(string? text)
        => [.. (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, Report.Inv))];

    /// <summary>The names of a <see cref="Parts"/> option.</summary>
    public static IReadOnlySet<string> Names(string? text)
        => (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
