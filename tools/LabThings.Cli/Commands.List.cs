using System.CommandLine;
using System.Net;
using System.Text.Json;
using LabThings.Client;

namespace LabThings.Cli;

internal sealed partial class Commands
{
    private Command List()
    {
        var serverUrl = CliApp.UrlArgument("SERVER_URL", "The server's root, such as http://127.0.0.1:5000/.");
        return Define("list", "List a server's Things: name, title and URL (from its /things/ list and each Thing's description).", [serverUrl], [], async (parse, session, cancellationToken) =>
        {
            var server = parse.GetValue(serverUrl)!;
            var things = await ThingUrlsAsync(session, server, cancellationToken).ConfigureAwait(false);

            // The titles are in the descriptions; fetch them together. One that fails is noted, not fatal.
            var titles = await Task.WhenAll(things.Select(async t =>
            {
                try
                {
                    return ((string?)(await session.OpenAsync(t.Url, cancellationToken).ConfigureAwait(false)).Title, (string?)null);
                }
                catch (Exception ex) when (ex is CliException or ThingProblemException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    return (null, ex is CliException { Problem: { } problem } ? problem.Message : ex.Message);
                }
            })).ConfigureAwait(false);

            var rows = things.Select((t, i) => (t.Name, Title: titles[i].Item1, t.Url, Problem: titles[i].Item2)).ToList();
            foreach (var row in rows.Where(r => r.Problem is not null))
            {
                await console.Error.WriteLineAsync($"labthings: could not read the description of '{row.Name}': {row.Problem}").ConfigureAwait(false);
            }

            if (session.Settings.Json)
            {
                await Out.WriteLineAsync(Output.Json(rows.Select(r => new Dictionary<string, string?> { ["name"] = r.Name, ["title"] = r.Title, ["url"] = r.Url.AbsoluteUri }))).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (rows.Count == 0)
            {
                await Out.WriteLineAsync("No Things.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var table = rows.Select(r => new[] { r.Name, r.Title ?? "?", r.Url.AbsoluteUri }).Prepend(["NAME", "TITLE", "URL"]).ToList();
            var widths = Enumerable.Range(0, 2).Select(c => table.Max(r => r[c].Length)).ToArray();
            foreach (var row in table)
            {
                await Out.WriteLineAsync($"{row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2]}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
    }

    /// <summary>The server's <c>/things/</c>: an object mapping each Thing's name to its description's URL (absolute, or relative to the server).</summary>
    private static async Task<List<(string Name, Uri Url)>> ThingUrlsAsync(Session session, Uri server, CancellationToken cancellationToken)
    {
        var root = server.AbsolutePath.EndsWith('/') ? server : new UriBuilder(server) { Path = server.AbsolutePath + "/" }.Uri;
        var listUrl = new Uri(root, "things/");
        using var request = new HttpRequestMessage(HttpMethod.Get, listUrl);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Authorization = session.Settings.Credentials?.AuthorizationHeader;
        using var response = await session.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ThingProblemException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            var hint = response.StatusCode == HttpStatusCode.NotFound
                ? $"No list of Things at {listUrl}. SERVER_URL is the root of a LabThings server, such as http://127.0.0.1:5000/."
                : $"Could not list the Things at {listUrl}.";
            throw new CliException(ExitCodes.Refused, hint, problem);
        }

        JsonElement list;
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            list = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            list = default;
        }

        if (list.ValueKind != JsonValueKind.Object)
        {
            throw new CliException(ExitCodes.BadAnswer, $"{listUrl} did not answer with a list of Things (a JSON object mapping names to URLs).");
        }

        var things = new List<(string, Uri)>();
        foreach (var entry in list.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.String && Uri.TryCreate(root, entry.Value.GetString(), out var url))
            {
                things.Add((entry.Name, url));
            }
        }

        return things;
    }
}
