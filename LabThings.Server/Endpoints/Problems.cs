using LabThings.Schema;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Endpoints;

/// <summary>Writes RFC 9457 problem details (<c>application/problem+json</c>).</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
        => Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);

    /// <summary>422 with an <c>errors</c> member listing each offending field, the rule it broke and why.</summary>
    public static Task WriteValidationAsync(HttpContext context, string detail, IReadOnlyList<ValidationProblem> problems)
        => Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Invalid value",
            detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = problems.Select(p => new Dictionary<string, string> { ["field"] = p.Field, ["rule"] = p.Rule, ["message"] = p.Message }).ToList(),
            })
            .ExecuteAsync(context);
}
