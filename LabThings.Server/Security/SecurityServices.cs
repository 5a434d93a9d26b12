using LabThings.Server.Hosting;
using idunno.Authentication.Basic;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LabThings.Server.Security;

/// <summary>
/// Registers LabThings' security with the application: its policy, Basic credentials, start-up warnings and
/// configuration check, and <see cref="SchemeHandlers"/>, which holds the two authentication handlers.
/// </summary>
internal static class SecurityServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<SecurityPolicy>();
        services.TryAddSingleton<BasicCredentials>();
        services.TryAddSingleton<SchemeHandlers>();
        services.AddHostedService<SecurityStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LabThingsOptions>, SecurityOptionsValidator>());
    }
}

/// <summary>
/// LabThings' two authentication schemes as ASP.NET Core handlers (<see cref="SecurityPolicy.BasicScheme"/>:
/// idunno.Authentication.Basic; <see cref="SecurityPolicy.BearerScheme"/>: JwtBearer), configured from
/// <see cref="LabThingsSecurityOptions"/>, in services of LabThings' own that are built when the first request with
/// credentials arrives. The Things' endpoints authenticate through them explicitly, so the application's own
/// authentication (its schemes, its default scheme, its data protection) is left alone, and a server that is never
/// sent credentials does not load ASP.NET Core's authentication, data protection and token libraries at all
/// (about 1 MiB of resident memory; session 9 in docs/performance.md).
/// </summary>
internal sealed class SchemeHandlers(IServiceProvider application) : IDisposable
{
    private readonly OwnServices _services = new(application, Register);

    /// <summary>Authenticates the request with one of LabThings' schemes.</summary>
    public async Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string scheme)
    {
        var services = _services.Get();
        var definition = await services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(scheme).ConfigureAwait(false)
            ?? throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "not one of LabThings' authentication schemes");

        // AddScheme registers each handler type as a transient service: a new handler per request, as ASP.NET Core's own.
        var handler = (IAuthenticationHandler)services.GetRequiredService(definition.HandlerType);
        await handler.InitializeAsync(definition, context).ConfigureAwait(false);
        return await handler.AuthenticateAsync().ConfigureAwait(false);
    }

    public void Dispose() => _services.Dispose();

    // Called only when the provider is first built, so the authentication libraries are loaded then.
    private static void Register(IServiceProvider application, IServiceCollection services)
    {
        services.AddSingleton(application.GetRequiredService<TimeProvider>());
        services.AddSingleton(application.GetRequiredService<BasicCredentials>());
        services.AddAuthentication()
            .AddBasic(SecurityPolicy.BasicScheme, _ => { })
            .AddJwtBearer(SecurityPolicy.BearerScheme, _ => { });
        ConfigureBasic(services);
        ConfigureBearer(services);
    }

    private static void ConfigureBasic(IServiceCollection services)
        => services.AddOptions<BasicAuthenticationOptions>(SecurityPolicy.BasicScheme)
            .Configure<IOptions<LabThingsOptions>, BasicCredentials>((basic, options, credentials) =>
            {
                basic.Realm = options.Value.Security.Basic.Realm;

                // The guard writes the challenge itself (one per configured scheme, with problem details).
                basic.SuppressWWWAuthenticateHeader = true;

                // Labs often run plain HTTP; the server warns at start when Basic is used beyond loopback without TLS.
                basic.AllowInsecureProtocol = true;
                basic.Events = new BasicAuthenticationEvents
                {
                    OnValidateCredentials = context =>
                    {
                        if (credentials.Validate(context.Username, context.Password) is { } principal)
                        {
                            context.Principal = principal;
                            context.Success();
                        }
                        else
                        {
                            context.Fail("wrong user name or password");
                        }

                        return Task.CompletedTask;
                    },
                };
            });

    private static void ConfigureBearer(IServiceCollection services)
        => services.AddOptions<JwtBearerOptions>(SecurityPolicy.BearerScheme)
            .Configure<IOptions<LabThingsOptions>>((jwt, options) =>
            {
                var bearer = options.Value.Security.Bearer;
                jwt.MapInboundClaims = false;
                if (!string.IsNullOrWhiteSpace(bearer.Authority))
                {
                    jwt.Authority = bearer.Authority;
                    jwt.RequireHttpsMetadata = !IsLoopbackUrl(bearer.Authority);
                }

                jwt.Audience = bearer.Audience;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = !string.IsNullOrWhiteSpace(bearer.Issuer) || !string.IsNullOrWhiteSpace(bearer.Authority),
                    ValidIssuer = string.IsNullOrWhiteSpace(bearer.Issuer) ? null : bearer.Issuer,
                    ValidateAudience = !string.IsNullOrWhiteSpace(bearer.Audience),
                    ValidAudience = bearer.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                    IssuerSigningKey = SecurityOptionsValidator.SigningKey(bearer.SigningKey) is { } key ? new SymmetricSecurityKey(key) : null,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        if (context.HttpContext.Items.ContainsKey(SecurityPolicy.QueryTokenAllowed)
                            && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token.ToString();
                        }

                        return Task.CompletedTask;
                    },
                };
            });

    private static bool IsLoopbackUrl(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Refuses a security configuration that cannot work, at start-up, naming the key.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<LabThingsOptions>
{
    public ValidateOptionsResult Validate(string? name, LabThingsOptions options)
    {
        var problems = new List<string>();
        foreach (var (user, settings) in options.Security.Basic.Users)
        {
            if (string.IsNullOrEmpty(settings.PasswordHash) && string.IsNullOrEmpty(settings.Password))
            {
                problems.Add($"LabThings:Security:Basic:Users:{user} has neither PasswordHash nor Password.");
            }

            if (user.Contains(':', StringComparison.Ordinal) || user.Length == 0)
            {
                problems.Add($"LabThings:Security:Basic:Users: the user name '{user}' is empty or contains ':', which HTTP Basic cannot carry.");
            }
        }

        var bearer = options.Security.Bearer;
        if (!string.IsNullOrWhiteSpace(bearer.SigningKey))
        {
            try
            {
                if (SigningKey(bearer.SigningKey)!.Length < 32)
                {
                    problems.Add("LabThings:Security:Bearer:SigningKey must be at least 32 bytes (256 bits) once base64-decoded.");
                }
            }
            catch (FormatException)
            {
                problems.Add("LabThings:Security:Bearer:SigningKey is not base64.");
            }
        }

        if (!string.IsNullOrWhiteSpace(bearer.Authority) && !Uri.TryCreate(bearer.Authority, UriKind.Absolute, out _))
        {
            problems.Add($"LabThings:Security:Bearer:Authority '{bearer.Authority}' is not an absolute URL.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static byte[]? SigningKey(string? base64) => string.IsNullOrWhiteSpace(base64) ? null : Convert.FromBase64String(base64.Trim());
}
