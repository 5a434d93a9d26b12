using System.Security.Claims;
using LabThings.Description;
using LabThings.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Security;

/// <summary>
/// The server's security as configured (read once from <see cref="LabThingsSecurityOptions"/>): which schemes
/// authenticate, what anonymous callers may do, and how the Thing Descriptions describe it.
/// </summary>
internal sealed class SecurityPolicy
{
    public const string BasicScheme = "LabThings.Basic";
    public const string BearerScheme = "LabThings.Bearer";

    /// <summary>Set on a request whose endpoint accepts a bearer token in the <c>access_token</c> query parameter.</summary>
    public const string QueryTokenAllowed = "LabThings.QueryTokenAllowed";

    private const string BasicName = "basic_sc";
    private const string BearerName = "bearer_sc";
    private const string ComboName = "combo_sc";

    private readonly string _realm;

    public SecurityPolicy(IOptions<LabThingsOptions> options)
    {
        var security = options.Value.Security;
        Basic = security.Basic.Enabled;
        Bearer = security.Bearer.Enabled;
        Anonymous = security.Anonymous ?? (Basic || Bearer ? AnonymousAccess.None : AnonymousAccess.All);
        _realm = security.Basic.Realm.Replace("\"", "'", StringComparison.Ordinal);
        AnonymousCaller = new Caller(Caller.AnonymousOwner, authenticated: false, Anonymous switch
        {
            AnonymousAccess.All => ["*"],
            AnonymousAccess.Read => [Caller.Scope(Operation.Read), Caller.Scope(Operation.Observe)],
            _ => [],
        });
        Description = Describe(security);
    }

    public bool Basic { get; }

    public bool Bearer { get; }

    public bool HasSchemes => Basic || Bearer;

    public AnonymousAccess Anonymous { get; }

    /// <summary>Whether requests are checked at all (false: everyone may do everything, as without security).</summary>
    public bool Enabled => HasSchemes || Anonymous != AnonymousAccess.All;

    public Caller AnonymousCaller { get; }

    /// <summary>The security part of every Thing Description.</summary>
    public TdSecurity Description { get; }

    /// <summary>
    /// Who sent the request: the anonymous caller when it carries no credentials, an authenticated caller when its
    /// credentials are valid, and null (with the reason) when they are not.
    /// </summary>
    public async Task<(Caller? Caller, string? Failure)> IdentifyAsync(HttpContext context, bool queryTokenAllowed)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        string? scheme = null;
        if (authorization.Length > 0)
        {
            if (Basic && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                scheme = BasicScheme;
            }
            else if (Bearer && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                scheme = BearerScheme;
            }
            else
            {
                return (null, HasSchemes
                    ? $"The Authorization header's scheme is not accepted here; use {string.Join(" or ", SchemeNames())}."
                    : "This server accepts no credentials.");
            }
        }
        else if (Bearer && queryTokenAllowed && context.Request.Query.ContainsKey("access_token"))
        {
            scheme = BearerScheme;
            context.Items[QueryTokenAllowed] = true;
        }

        if (scheme is null)
        {
            return (AnonymousCaller, null);
        }

        var result = await context.RequestServices.GetRequiredService<SchemeHandlers>().AuthenticateAsync(context, scheme).ConfigureAwait(false);
        if (!result.Succeeded || result.Principal is null)
        {
            return (null, scheme == BasicScheme ? "The user name or password is wrong." : "The bearer token is not valid (expired, wrongly signed, or for another audience or issuer).");
        }

        return (FromPrincipal(result.Principal, scheme), null);
    }

    /// <summary>Answers 401 with a challenge for every configured scheme, and problem details saying why.</summary>
    public Task ChallengeAsync(HttpContext context, string title, string detail, bool invalidToken = false)
    {
        var headers = context.Response.Headers;
        if (Basic)
        {
            headers.Append("WWW-Authenticate", $"Basic realm=\"{_realm}\", charset=\"UTF-8\"");
        }

        if (Bearer)
        {
            headers.Append("WWW-Authenticate", invalidToken ? $"Bearer realm=\"{_realm}\", error=\"invalid_token\"" : $"Bearer realm=\"{_realm}\"");
        }

        return Endpoints.Problems.WriteAsync(context, HasSchemes ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden, title, detail);
    }

    private IEnumerable<string> SchemeNames()
    {
        if (Basic)
        {
            yield return "Basic";
        }

        if (Bearer)
        {
            yield return "Bearer";
        }
    }

    private static Caller FromPrincipal(ClaimsPrincipal principal, string scheme)
    {
        var scopes = principal.FindAll("scope").Concat(principal.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var name = principal.FindFirst("sub")?.Value ?? principal.Identity?.Name ?? principal.FindFirst(ClaimTypes.Name)?.Value ?? "?";
        return new Caller((scheme == BasicScheme ? "basic:" : "bearer:") + name, authenticated: true, scopes);
    }

    private TdSecurity Describe(LabThingsSecurityOptions security)
    {
        if (!HasSchemes || Anonymous == AnonymousAccess.All)
        {
            // Nothing is asked of clients: a configured scheme only adds nothing anonymous callers lack.
            return TdSecurity.None;
        }

        var definitions = new Dictionary<string, SecurityScheme>(StringComparer.Ordinal);
        var names = new List<string>();
        if (Basic)
        {
            definitions[BasicName] = new SecurityScheme { Scheme = "basic", In = "header", Description = $"HTTP Basic authentication (realm \"{security.Basic.Realm}\")" };
            names.Add(BasicName);
        }

        if (Bearer)
        {
            definitions[BearerName] = new SecurityScheme
            {
                Scheme = "bearer",
                In = "header",
                Format = "jwt",
                Alg = string.IsNullOrWhiteSpace(security.Bearer.SigningKey) ? null : "HS256",
                Authorization = security.Bearer.AuthorizationUrl ?? security.Bearer.Authority,
                Description = "A JWT bearer token whose scope claim names the permissions it grants",
            };
            names.Add(BearerName);
        }

        IReadOnlyList<string> required = names;
        if (names.Count > 1)
        {
            definitions[ComboName] = new SecurityScheme { Scheme = "combo", OneOf = names, Description = "Any one of the schemes" };
            required = [ComboName];
        }

        if (Anonymous == AnonymousAccess.Read)
        {
            definitions[TdSecurity.NoSecurityName] = new SecurityScheme { Scheme = "nosec", Description = "Reading and observing need no credentials" };
            return new TdSecurity(definitions, required, TdSecurity.NoSecurityName, (affordance, op) => AnonymousCaller.May(OperationOf(op), null, affordance));
        }

        // Observing needs credentials, which an EventSource cannot carry: long polling comes first.
        return new TdSecurity(definitions, required) { LongPollFirst = true };
    }

    /// <summary>The permission a TD operation needs.</summary>
    private static Operation OperationOf(string op) => op switch
    {
        "readproperty" or "readallproperties" or "readmultipleproperties" => Operation.Read,
        "observeproperty" or "unobserveproperty" or "subscribeevent" or "unsubscribeevent" or "observeallproperties" or "unobserveallproperties" => Operation.Observe,
        "writeproperty" or "writeallproperties" or "writemultipleproperties" => Operation.Write,
        "invokeaction" => Operation.Invoke,
        "cancelaction" => Operation.Cancel,
        "queryaction" => Operation.Invoke,
        _ => Operation.Invocations,
    };

    /// <summary>What a caller must hold to use an endpoint.</summary>
    public static Operation OperationOf(Endpoints.ThingEndpointKind kind) => kind switch
    {
        Endpoints.ThingEndpointKind.ThingList or Endpoints.ThingEndpointKind.ThingDescriptions or Endpoints.ThingEndpointKind.ThingDescription => Operation.Describe,
        Endpoints.ThingEndpointKind.PropertyRead or Endpoints.ThingEndpointKind.PropertiesRead or Endpoints.ThingEndpointKind.Stream or Endpoints.ThingEndpointKind.StreamSnapshot or Endpoints.ThingEndpointKind.StreamViewer => Operation.Read,
        Endpoints.ThingEndpointKind.PropertyWrite or Endpoints.ThingEndpointKind.PropertyReset or Endpoints.ThingEndpointKind.PropertiesWrite => Operation.Write,
        Endpoints.ThingEndpointKind.ActionInvoke or Endpoints.ThingEndpointKind.ActionInvokeAndWait => Operation.Invoke,
        Endpoints.ThingEndpointKind.WebSocket or Endpoints.ThingEndpointKind.PropertyObserve or Endpoints.ThingEndpointKind.LongPoll or Endpoints.ThingEndpointKind.ActionObserve or Endpoints.ThingEndpointKind.EventSubscribe => Operation.Observe,
        Endpoints.ThingEndpointKind.InvocationCancel => Operation.Cancel,
        _ => Operation.Invocations,
    };
}
