using LabThings.Schema;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Endpoints;

/// <summary>
/// Writes RFC 9457 problem details (<c>application/problem+json</c>). What a request sent is echoed in part only:
/// texts are clipped and at most <see cref="MaxErrors"/> errors are listed, so a huge or hostile request cannot make
/// a huge answer.
/// </summary>
internal static class Problems
{
    /// <summary>The most offending fields a 422 lists; <c>more_errors</c> counts the rest.</summary>
    public const int MaxErrors = 20;

    private const int MaxDetail = 1000;
    private const int MaxField = 200;
    private const int MaxMessage = 500;

    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
        => Results.Problem(statusCode: status, title: title, detail: Clip(detail, MaxDetail)).ExecuteAsync(context);

    /// <summary>422 with an <c>errors</c> member listing each offending field, the rule it broke and why.</summary>
    public static Task WriteValidationAsync(HttpContext context, string detail, IReadOnlyList<ValidationProblem> problems)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["errors"] = problems.Take(MaxErrors)
                .Select(p => new Dictionary<string, string> { ["field"] = Clip(p.Field, MaxField), ["rule"] = Clip(p.Rule, MaxField), ["message"] = Clip(p.Message, MaxMessage) })
                .ToList(),
        };
        if (problems.Count > MaxErrors)
        {
            extensions["more_errors"] = problems.Count - MaxErrors;
        }

        return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid value", detail: Clip(detail, MaxDetail), extensions: extensions)
            .ExecuteAsync(context);
    }

    /// <summary><paramref name="text"/>, cut to at most <paramref name="max"/> characters (ending in "…" when cut, never inside a surrogate pair).</summary>
    public static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
