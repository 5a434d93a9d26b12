using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Security;

/// <summary>
/// Checks HTTP Basic credentials against the configured users. Password hashes are PBKDF2 (ASP.NET Core
/// Identity's format), deliberately slow to verify, so a successful check is remembered for a few minutes
/// (keyed by a SHA-256 of the user name and password, never the password itself): a client polling a
/// property pays the hash once, not per request.
/// </summary>
internal sealed class BasicCredentials
{
    private const int MaxRemembered = 1024;
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(5);

    // Verifying an unknown user's password against this keeps the answer as slow as for a known user.
    private static readonly string DummyHash = new PasswordHasher<LabThingsUser>().HashPassword(new LabThingsUser(), "not a password");

    private readonly IDictionary<string, LabThingsUser> _users;
    private readonly PasswordHasher<LabThingsUser> _hasher = new();
    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public BasicCredentials(IOptions<LabThingsOptions> options, TimeProvider time)
    {
        _users = options.Value.Security.Basic.Users;
        _time = time;
    }

    /// <summary>The principal of a user whose password is right, with the user's scopes as <c>scope</c> claims; otherwise null.</summary>
    public ClaimsPrincipal? Validate(string userName, string password)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(userName + "\0" + password)));
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(key, out var known) && known.Until > now)
        {
            return known.Principal;
        }

        if (!_users.TryGetValue(userName, out var user) || !Verify(user, password))
        {
            if (user is null)
            {
                _hasher.VerifyHashedPassword(new LabThingsUser(), DummyHash, password);
            }

            return null;
        }

        var scopes = user.Scopes.Count > 0 ? user.Scopes : ["*"];
        var identity = new ClaimsIdentity(
            scopes.Select(s => new Claim("scope", s)).Prepend(new Claim(ClaimTypes.Name, userName)),
            SecurityPolicy.BasicScheme);
        var principal = new ClaimsPrincipal(identity);
        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[key] = (principal, now + Remember);
        return principal;
    }

    private bool Verify(LabThingsUser user, string password)
    {
        if (!string.IsNullOrEmpty(user.PasswordHash))
        {
            try
            {
                return _hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return user.Password is { Length: > 0 } expected
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(password)));
    }
}
