using System.Text.Json;
using LabThings.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LabThings.Tests.Browser;

/// <summary>A page of the UI in a fresh browser context that records outside requests and console errors.</summary>
internal sealed class UiSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _foreign = [];

    private UiSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public IResponse? Response { get; private set; }

    /// <summary>Every URL the page requested, in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Every answer the page received: status, URL and WWW-Authenticate challenge (if any).</summary>
    public List<(int Status, string Url, string? Challenge)> Responses { get; } = [];

    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Opens <paramref name="query"/> of the server's page and waits until it has loaded.</summary>
    /// <param name="browser">The shared Chromium.</param>
    /// <param name="server">The server.</param>
    /// <param name="query">The page's query, e.g. <c>?thing=light</c>.</param>
    /// <param name="withAxe">Adds axe-core to every page of the context.</param>
    /// <param name="configure">Sets more options of the context, e.g. the HTTP credentials it answers challenges with.</param>
    /// <param name="beforeOpening">Runs with the new page before it opens the server's page.</param>
    public static async Task<UiSession> OpenAsync(
        BrowserFixture browser, RunningServer server, string query, bool withAxe = false, Action<BrowserNewContextOptions>? configure = null, Func<IPage, Task>? beforeOpening = null)
    {
        var options = new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } };
        configure?.Invoke(options);
        var context = await browser.Browser.NewContextAsync(options);
        if (withAxe)
        {
            // Added by the DevTools protocol, so the page's CSP (scripts from the server only) still applies to it.
            var axe = RepositoryPaths.RequireFile(
                Path.Combine(RepositoryPaths.Root, "LabThings.Tests", "Interop", "node_modules", "axe-core", "axe.min.js"),
                "axe-core is installed by npm: run scripts/test.sh (or 'npm ci' in LabThings.Tests/Interop)");
            await context.AddInitScriptAsync(await File.ReadAllTextAsync(axe));
        }

        var page = await context.NewPageAsync();
        var session = new UiSession(context, page);
        page.Request += (_, request) =>
        {
            session.Requests.Add(request.Url);
            if (!request.Url.StartsWith(server.BaseAddress.AbsoluteUri, StringComparison.Ordinal)
                && !request.Url.StartsWith("blob:" + server.BaseAddress.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal)
                && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                session._foreign.Add(request.Url);
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => session.ConsoleErrors.Add(error);
        page.Response += (_, response) => session.Responses.Add((response.Status, response.Url, response.Headers.GetValueOrDefault("www-authenticate")));
        if (beforeOpening is not null)
        {
            await beforeOpening(page);
        }

        session.Response = await page.GotoAsync(new Uri(server.BaseAddress, query).AbsoluteUri);
        await Expect(page.Locator("#status")).Not.ToHaveTextAsync("Loading…");
        return session;
    }

    /// <summary>Runs axe-core in the page (opened <c>withAxe</c>) and returns its serious and critical violations.</summary>
    public async Task<List<string>> SeriousAccessibilityViolationsAsync()
    {
        var violations = await Page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }));
            }
            """);
        return violations.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => v.ToString())
            .ToList();
    }

    public void AssertStayedOffline() => _foreign.Should().BeEmpty("every request goes to the server the page came from");

    /// <summary>Saves a screenshot into docs/ui when LABTHINGS_SCREENSHOTS=1 (scripts/screenshots.sh).</summary>
    public async Task ScreenshotAsync(string name, bool atStart = false)
    {
        if (Environment.GetEnvironmentVariable("LABTHINGS_SCREENSHOTS") != "1")
        {
            return;
        }

        if (atStart)
        {
            await Page.GoBackAsync();
            await Expect(Page.Locator(".things > li")).ToHaveCountAsync(5);
        }

        var folder = Path.Combine(RepositoryPaths.Root, "docs", "ui");
        Directory.CreateDirectory(folder);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
