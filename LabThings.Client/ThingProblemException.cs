using System.Net;
using System.Text.Json;

namespace LabThings.Client;

/// <summary>
/// A Thing answered a request with an error status. When the answer was RFC 9457 problem details
/// (<c>application/problem+json</c>), its members are here; so are the offending fields listed in its
/// <c>errors</c> (LabThings) or in a FastAPI-style <c>detail</c> list (labthings-fastapi).
/// </summary>
public class ThingProblemException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="title">A short summary.</param>
    /// <param name="detail">An explanation of this occurrence, or null.</param>
    /// <param name="type">The problem type URI, or null.</param>
    /// <param name="errors">The offending fields, or an empty list.</param>
    /// <param name="body">The error body as JSON, or <see cref="JsonValueKind.Undefined"/> when it was not JSON.</param>
    public ThingProblemException(HttpStatusCode status, string title, string? detail, string? type, IReadOnlyList<ThingFieldError> errors, JsonElement body)
        : base(detail is null ? $"{(int)status} {title}" : $"{(int)status} {title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
        Type = type;
        Errors = errors;
        Body = body;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>A short summary: the problem's <c>title</c>, or the status's reason phrase.</summary>
    public string Title { get; }

    /// <summary>The problem's <c>detail</c> (or the text of a body that was not JSON), or null.</summary>
    public string? Detail { get; }

    /// <summary>The problem's <c>type</c> URI, or null.</summary>
    public string? Type { get; }

    /// <summary>Each offending field the server named, in its order; empty when it named none.</summary>
    public IReadOnlyList<ThingFieldError> Errors { get; }

    /// <summary>The whole error body when it was JSON; otherwise <see cref="JsonValueKind.Undefined"/>.</summary>
    public JsonElement Body { get; }

    /// <summary>
    /// Reads an error response, for requests a caller makes itself (a server's list of Things, say), into the exception
    /// the client's own operations throw: RFC 9457 problem details with LabThings' <c>errors</c> or FastAPI's
    /// <c>detail</c> list, or the body's text when it is not JSON (the first 64 KiB).
    /// </summary>
    /// <param name="response">The response; its status need not be checked first, but a successful one makes an odd exception.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The exception, to throw.</returns>
    public static Task<ThingProblemException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Internal.Problems.FromResponseAsync(response, cancellationToken);
    }
}

/// <summary>One offending field of a refused request.</summary>
/// <param name="Field">Where: a JSON Pointer (LabThings), or a dotted location (FastAPI's <c>loc</c>); empty for the whole value.</param>
/// <param name="Message">Why, for people.</param>
/// <param name="Rule">The schema keyword or error type broken, when the server says.</param>
public sealed record ThingFieldError(string Field, string Message, string? Rule);
