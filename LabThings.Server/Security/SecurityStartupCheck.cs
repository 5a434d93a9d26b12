using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LabThings.Server.Security;

/// <summary>
/// Once the server listens, warns about what would expose the instruments: listening beyond loopback while
/// clients without credentials may change things, Basic passwords over plain HTTP beyond loopback, and passwords
/// kept in plain text in the configuration.
/// </summary>
internal sealed partial class SecurityStartupCheck(IServiceProvider services, SecurityPolicy policy, IOptions<LabThingsOptions> options, ILogger<SecurityStartupCheck> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var warning in Warnings(addresses, policy, options.Value.Security))
        {
            Log.Warning(logger, warning);
        }

        return Task.CompletedTask;
    }

    /// <summary>The warnings for a server listening on <paramref name="addresses"/> with this security.</summary>
    public static IEnumerable<string> Warnings(IEnumerable<string> addresses, SecurityPolicy policy, LabThingsSecurityOptions security)
    {
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (exposed.Count > 0 && policy.Anonymous != AnonymousAccess.None && policy.Anonymous != AnonymousAccess.Read)
        {
            yield return $"Listening on {string.Join(", ", exposed)} beyond loopback, and clients without credentials may use every Thing: anyone who can reach this machine can move its instruments. Configure LabThings:Security (docs/security.md), or listen on 127.0.0.1 only.";
        }

        var plainHttp = exposed.Where(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)).ToList();
        if (policy.Basic && plainHttp.Count > 0)
        {
            yield return $"HTTP Basic authentication over plain HTTP on {string.Join(", ", plainHttp)}: passwords cross the network readable by anyone on it. Serve HTTPS (Kestrel:Endpoints with a certificate; docs/security.md).";
        }

        var plainPasswords = security.Basic.Users.Where(u => string.IsNullOrEmpty(u.Value.PasswordHash) && !string.IsNullOrEmpty(u.Value.Password)).Select(u => u.Key).ToList();
        if (plainPasswords.Count > 0)
        {
            yield return $"The password of {string.Join(", ", plainPasswords)} is configured in plain text; configure PasswordHash instead (make one with the example server's hash-password command).";
        }
    }

    /// <summary>Whether a listening address (e.g. <c>http://127.0.0.1:5000</c>, <c>http://[::]:80</c>, <c>http://+:80</c>) is loopback only.</summary>
    public static bool IsLoopback(string address)
    {
        var start = address.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? address : address[(start + 3)..];
        var end = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        var host = (end <= 0 ? rest : rest[..end]).Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Warning}", EventName = "SecurityWarning")]
        public static partial void Warning(ILogger logger, string warning);
    }
}
