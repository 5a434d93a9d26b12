using idunno.Authentication.Basic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LabThings.Server.Security;

/// <summary>
/// Registers LabThings' two authentication schemes with ASP.NET Core under names of their own
/// (<see cref="SecurityPolicy.BasicScheme"/>, <see cref="SecurityPolicy.BearerScheme"/>), configured from
/// <see cref="LabThingsSecurityOptions"/>. Neither becomes the application's default scheme: the Things'
/// endpoints authenticate with them explicitly, so an application's own authentication is left alone.
/// </summary>
internal static class SecurityServices
{
    private static bool IsDataProtectionStartup(ServiceDescriptor descriptor)
        => descriptor.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)
           && descriptor.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<SecurityPolicy>();
        services.TryAddSingleton<BasicCredentials>();
        services.AddHostedService<SecurityStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LabThingsOptions>, SecurityOptionsValidator>());
        var dataProtectionStartedBefore = services.Any(IsDataProtectionStartup);
        services.AddAuthentication()
            .AddBasic(SecurityPolicy.BasicScheme, _ => { })
            .AddJwtBearer(SecurityPolicy.BearerScheme, _ => { });
        if (!dataProtectionStartedBefore)
        {
            // AddAuthentication brings ASP.NET Core data protection, whose hosted service reads (or creates) the key ring
            // at start: XML and cryptography loaded into every server (~8 MiB of RSS) for keys that neither Basic nor
            // bearer authentication uses. Without the service the key ring is read when something first protects data.
            // An application that registered data protection itself keeps its start-up loading.
            foreach (var descriptor in services.Where(IsDataProtectionStartup).ToList())
            {
                services.Remove(descriptor);
            }
        }

        services.AddOptions<BasicAuthenticationOptions>(SecurityPolicy.BasicScheme)
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

        services.AddOptions<JwtBearerOptions>(SecurityPolicy.BearerScheme)
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
    }

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
