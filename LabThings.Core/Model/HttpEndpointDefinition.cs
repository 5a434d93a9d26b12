using System.Reflection;

namespace LabThings.Model;

/// <summary>A method of a Thing published as a plain HTTP endpoint (see <see cref="HttpEndpointAttribute"/>).</summary>
public sealed class HttpEndpointDefinition
{
    internal HttpEndpointDefinition(string method, string path, MethodInfo member, string? summary, string? description, IReadOnlyList<string> requiredScopes)
    {
        Method = method;
        Path = path;
        Member = member;
        Summary = summary;
        Description = description;
        RequiredScopes = requiredScopes;
    }

    /// <summary>The HTTP method, upper case.</summary>
    public string Method { get; }

    /// <summary>The route under the Thing's path, e.g. <c>files/{name}</c>.</summary>
    public string Path { get; }

    /// <summary>The method.</summary>
    public MethodInfo Member { get; }

    /// <summary>The OpenAPI summary, or null.</summary>
    public string? Summary { get; }

    /// <summary>The OpenAPI description, or null.</summary>
    public string? Description { get; }

    /// <summary>The scopes a caller needs besides the read or write permission (<see cref="RequireScopeAttribute"/>).</summary>
    public IReadOnlyList<string> RequiredScopes { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {Path} ({Member.DeclaringType?.Name}.{Member.Name})";
}
