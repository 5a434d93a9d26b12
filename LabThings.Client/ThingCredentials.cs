using System.Net.Http.Headers;
using System.Text;

namespace LabThings.Client;

/// <summary>
/// Credentials for a Thing's <c>basic</c> or <c>bearer</c> security scheme. A <see cref="ThingClient"/> sends them in the
/// <c>Authorization</c> header of every request whose form (or, failing that, the Thing Description) names a
/// security scheme of the same kind, and of the request for the Thing Description itself.
/// </summary>
public sealed class ThingCredentials
{
    private readonly AuthenticationHeaderValue _header;

    private ThingCredentials(string scheme, AuthenticationHeaderValue header)
    {
        Scheme = scheme;
        _header = header;
    }

    /// <summary>The TD security scheme these credentials answer: <c>basic</c> or <c>bearer</c>.</summary>
    public string Scheme { get; }

    /// <summary>HTTP Basic credentials (RFC 7617), sent as UTF-8.</summary>
    /// <param name="userName">The user name; it may not contain a colon.</param>
    /// <param name="password">The password.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="ArgumentException"><paramref name="userName"/> contains a colon.</exception>
    public static ThingCredentials Basic(string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        if (userName.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("A Basic user name cannot contain ':'.", nameof(userName));
        }

        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(userName + ":" + password));
        return new ThingCredentials("basic", new AuthenticationHeaderValue("Basic", token));
    }

    /// <summary>A bearer token (RFC 6750), such as a JWT.</summary>
    /// <param name="token">The token, without the <c>Bearer</c> prefix.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="ArgumentException"><paramref name="token"/> is empty.</exception>
    public static ThingCredentials Bearer(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return new ThingCredentials("bearer", new AuthenticationHeaderValue("Bearer", token));
    }

    /// <summary>
    /// The <c>Authorization</c> header value these credentials send, for requests a <see cref="ThingClient"/> does not
    /// make itself (a server's listing of Things, say).
    /// </summary>
    public AuthenticationHeaderValue AuthorizationHeader => _header;
}
