namespace LabThings.Client;

/// <summary>An action invocation ended without an output: it failed on the Thing, or someone else cancelled it.</summary>
public sealed class ThingActionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="action">The action's name.</param>
    /// <param name="status">The invocation's final status, such as <c>error</c> or <c>cancelled</c>.</param>
    /// <param name="title">A short summary from the Thing, or null.</param>
    /// <param name="detail">The Thing's explanation, or null.</param>
    /// <param name="invocation">The invocation's URL, or null.</param>
    public ThingActionException(string action, string status, string? title, string? detail, Uri? invocation)
        : base($"Action '{action}' ended with status '{status}'" + (title is null && detail is null ? "." : $": {string.Join(": ", new[] { title, detail }.Where(s => s is not null))}"))
    {
        Action = action;
        InvocationStatus = status;
        Title = title;
        Detail = detail;
        Invocation = invocation;
    }

    /// <summary>The action's name.</summary>
    public string Action { get; }

    /// <summary>The invocation's final status, such as <c>error</c> or <c>cancelled</c>.</summary>
    public string InvocationStatus { get; }

    /// <summary>The error's title (for LabThings, the exception type), or null.</summary>
    public string? Title { get; }

    /// <summary>The error's detail (for LabThings, the exception message), or null.</summary>
    public string? Detail { get; }

    /// <summary>The invocation's URL, where its log can be read, or null when the Thing gave none.</summary>
    public Uri? Invocation { get; }
}
