using Microsoft.Playwright;

namespace LabThings.Tests.Browser;

/// <summary>One headless Debian Chromium, driven by Playwright, shared by the browser tests.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = FindChromium(),
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static string FindChromium()
    {
        // The binary itself, not Debian's wrapper script (which adds flags of its own).
        string[] candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("Debian's chromium is needed for the browser tests: run scripts/test.sh, which installs it (apt-get install chromium).");
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
