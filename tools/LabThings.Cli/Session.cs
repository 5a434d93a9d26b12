using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LabThings.Client;

namespace LabThings.Cli;

/// <summary>What the global options say: output style, time limit and credentials.</summary>
/// <param name="Json">Print JSON for scripts instead of text for people.</param>
/// <param name="Timeout">The time limit for each request's answer (a long action or an observation may run longer: each of their requests is limited).</param>
/// <param name="Credentials">The credentials for <see cref="ThingClient"/>, or null.</param>
internal sealed record Settings(bool Json, TimeSpan Timeout, ThingCredentials? Credentials);

/// <summary>An HTTP client with the settings applied, and the Things opened with it; dispose to close them all.</summary>
internal sealed class Session : IDisposable
{
    private readonly List<ThingClient> _things = [];

    public Session(Settings settings)
    {
        Settings = settings;
        Http = new HttpClient { Timeout = settings.Timeout };
        Http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("labthings-cli", typeof(Session).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public Settings Settings { get; }

    public HttpClient Http { get; }

    /// <summary>Downloads a Thing Description and returns a client for it.</summary>
    /// <exception cref="CliException">The answer is an error (with a hint for 404) or not a Thing Description.</exception>
    public async Task<ThingClient> OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        ThingClient thing;
        try
        {
            thing = await ThingClient.FromUrlAsync(url, Http, new ThingClientOptions { Credentials = Settings.Credentials }, cancellationToken).ConfigureAwait(false);
        }
        catch (ThingProblemException problem) when (problem.Status == HttpStatusCode.NotFound)
        {
            throw new CliException(
                ExitCodes.Refused,
                $"No Thing Description at {url}. THING is the address of a Thing's description, such as http://127.0.0.1:5000/light/ ('labthings list SERVER_URL' shows them).",
                problem);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new CliException(ExitCodes.BadAnswer, $"{url} did not answer with a Thing Description (a JSON object): {ex.Message}");
        }

        _things.Add(thing);
        return thing;
    }

    public void Dispose()
    {
        foreach (var thing in _things)
        {
            thing.Dispose();
        }

        Http.Dispose();
    }

}
