using LabThings.Model;
using LabThings.Server.Actions;
using Microsoft.AspNetCore.Http;

namespace LabThings.Server.Security;

/// <summary>
/// Who sent a request and what they may do, set on the request by <see cref="AccessGuard"/>. A request the guard
/// did not see (security is off) has <see cref="Unrestricted"/>.
/// </summary>
internal sealed class Caller
{
    /// <summary>The scope that lets a caller see and cancel invocations others started.</summary>
    public const string AllInvocationsScope = "all_invocations";

    /// <summary>The owner recorded for invocations started without credentials.</summary>
    public const string AnonymousOwner = "anonymous";

    private readonly HashSet<string> _scopes;

    public Caller(string owner, bool authenticated, IEnumerable<string> scopes)
    {
        Owner = owner;
        IsAuthenticated = authenticated;
        _scopes = new HashSet<string>(scopes, StringComparer.Ordinal);
    }

    /// <summary>Everyone may do everything: the caller of a server without security.</summary>
    public static Caller Unrestricted { get; } = new(AnonymousOwner, authenticated: false, ["*"]);

    /// <summary>Who started an invocation: <c>basic:{user}</c>, <c>bearer:{subject}</c> or <c>anonymous</c>.</summary>
    public string Owner { get; }

    /// <summary>Whether the caller sent valid credentials.</summary>
    public bool IsAuthenticated { get; }

    /// <summary>Whether the caller has any permission at all (beyond reading descriptions).</summary>
    public bool HasAnyAccess => _scopes.Count > 0;

    public static Caller Of(HttpContext context) => context.Features.Get<Caller>() ?? Unrestricted;

    /// <summary>Whether the caller may perform <paramref name="operation"/> on <paramref name="affordance"/> of <paramref name="thing"/>.</summary>
    public bool May(Operation operation, string? thing, AffordanceDefinition? affordance)
        => May(operation, thing, affordance?.RequiredScopes ?? []);

    /// <summary>Whether the caller may perform <paramref name="operation"/> on <paramref name="thing"/>, holding every one of <paramref name="requiredScopes"/>.</summary>
    public bool May(Operation operation, string? thing, IReadOnlyList<string> requiredScopes)
    {
        if (operation == Operation.Describe)
        {
            return true;
        }

        if (operation == Operation.Invocations)
        {
            return HasAnyAccess;
        }

        if (!Has(operation, thing))
        {
            return false;
        }

        return requiredScopes.All(s => _scopes.Contains("*") || _scopes.Contains(s));
    }

    /// <summary>Whether the caller may see <paramref name="invocation"/> (its status, log and output).</summary>
    public bool MaySee(Invocation invocation)
        => _scopes.Contains("*") || _scopes.Contains(AllInvocationsScope) || string.Equals(invocation.Owner, Owner, StringComparison.Ordinal);

    private bool Has(Operation operation, string? thing)
    {
        if (_scopes.Contains("*"))
        {
            return true;
        }

        var name = Scope(operation);
        return _scopes.Contains(name) || (thing is not null && (_scopes.Contains(thing + ":" + name) || _scopes.Contains(thing + ":*")));
    }

    public static string Scope(Operation operation) => operation.ToString().ToLowerInvariant();
}
