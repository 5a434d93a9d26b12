namespace LabThings.Server;

/// <summary>
/// Who may use the server's Things: the authentication schemes it accepts (HTTP Basic with configured users,
/// bearer tokens in JWT format), and what clients without credentials may do. Bound from the configuration
/// section <c>LabThings:Security</c> (a JSON file, environment variables such as
/// <c>LabThings__Security__Anonymous=None</c>, or the command line); see docs/security.md for every key.
/// </summary>
/// <remarks>
/// Permissions are scopes: <c>read</c>, <c>write</c>, <c>invoke</c>, <c>observe</c>, <c>cancel</c> on every
/// Thing, <c>{thing}:{operation}</c> (e.g. <c>stage:invoke</c>) or <c>{thing}:*</c> on one Thing,
/// <c>all_invocations</c> to see and cancel other callers' invocations, and <c>*</c> for everything. Scopes named
/// by <see cref="RequireScopeAttribute"/> are needed in addition. Thing Descriptions, OpenAPI and Swagger UI
/// are readable by everyone (they are how a client learns which credentials to send).
/// </remarks>
public sealed class LabThingsSecurityOptions
{
    /// <summary>
    /// What clients without credentials may do. Null (the default) means <see cref="AnonymousAccess.All"/>
    /// when no authentication scheme is configured (bind such a server to loopback: it warns when it listens
    /// beyond) and <see cref="AnonymousAccess.None"/> as soon as one is.
    /// </summary>
    public AnonymousAccess? Anonymous { get; set; }

    /// <summary>HTTP Basic authentication; enabled when at least one user is configured.</summary>
    public BasicSecurityOptions Basic { get; } = new();

    /// <summary>Bearer tokens (JWT); enabled when a signing key or an authority is configured.</summary>
    public BearerSecurityOptions Bearer { get; } = new();
}

/// <summary>What a client that sends no credentials may do.</summary>
public enum AnonymousAccess
{
    /// <summary>Nothing but reading descriptions: every operation answers 401 with <c>WWW-Authenticate</c>.</summary>
    None,

    /// <summary>Read and observe properties, events and streams; writing, invoking and cancelling need credentials.</summary>
    Read,

    /// <summary>Everything, including other callers' invocations.</summary>
    All,
}

/// <summary>HTTP Basic authentication (RFC 7617) against users configured here.</summary>
/// <remarks>
/// Basic sends the password with every request: use it over HTTPS, or on loopback. A browser asks for the user
/// name and password itself and sends them with every request to the server, the stream viewer's image included.
/// </remarks>
public sealed class BasicSecurityOptions
{
    /// <summary>The realm named in the <c>WWW-Authenticate</c> challenge (browsers show it); <c>LabThings</c> by default.</summary>
    public string Realm { get; set; } = "LabThings";

    /// <summary>The users, by user name.</summary>
    public IDictionary<string, LabThingsUser> Users { get; } = new Dictionary<string, LabThingsUser>(StringComparer.Ordinal);

    internal bool Enabled => Users.Count > 0;
}

/// <summary>A user of HTTP Basic authentication.</summary>
public sealed class LabThingsUser
{
    /// <summary>
    /// The password's hash in ASP.NET Core Identity's format (PBKDF2; make one with
    /// <c>dotnet run --project examples/ExampleServer -- hash-password</c>). Preferred over <see cref="Password"/>.
    /// </summary>
    public string? PasswordHash { get; set; }

    /// <summary>The password in plain text (for trying things out; the server logs a warning). Ignored when <see cref="PasswordHash"/> is set.</summary>
    public string? Password { get; set; }

    /// <summary>The user's scopes (see <see cref="LabThingsSecurityOptions"/>); <c>*</c> when none are listed.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>Hashes <paramref name="password"/> for <see cref="PasswordHash"/> (PBKDF2 with a random salt, ASP.NET Core Identity's format).</summary>
    /// <param name="password">The password, not empty.</param>
    /// <returns>The hash, in base64.</returns>
    /// <exception cref="ArgumentException"><paramref name="password"/> is empty.</exception>
    public static string HashPassword(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return new Microsoft.AspNetCore.Identity.PasswordHasher<LabThingsUser>().HashPassword(new LabThingsUser(), password);
    }
}

/// <summary>Bearer tokens in JWT format, validated by ASP.NET Core's JwtBearer handler.</summary>
/// <remarks>
/// The token's scopes come from its <c>scope</c> claim (space-separated) or <c>scp</c> claims; a token without
/// scopes may do only what anonymous clients may. Browsers cannot put a header on a WebSocket, an
/// <c>EventSource</c> or an <c>&lt;img&gt;</c>, so observation, WebSocket and stream endpoints also accept the token
/// as the query parameter <c>access_token</c>: use short-lived tokens, since URLs can end up in logs.
/// </remarks>
public sealed class BearerSecurityOptions
{
    /// <summary>
    /// The OpenID Connect authority that issues tokens (its discovery document gives the signing keys and
    /// issuer), e.g. <c>https://login.example.org/realms/lab</c>; or null when <see cref="SigningKey"/> is used.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>A symmetric signing key (at least 32 bytes, base64) for HS256 tokens issued by a service you run; or null.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The issuer (<c>iss</c>) tokens must name; not checked when null (and no authority is set).</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) tokens must name; not checked when null.</summary>
    public string? Audience { get; set; }

    /// <summary>The URL where clients get tokens, published in the Thing Description as the scheme's <c>authorization</c>; or null.</summary>
    public string? AuthorizationUrl { get; set; }

    internal bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKey);
}
