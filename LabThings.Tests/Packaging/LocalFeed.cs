using System.Globalization;
using LabThings.Tests.Support;

namespace LabThings.Tests.Packaging;

/// <summary>
/// Packs LabThings (the libraries, the labthings-server and labthings tools and the templates) once for the packaging tests, into a
/// local folder feed, with a version of its own (so no package cached by an earlier run is used instead), and removes
/// those packages from the NuGet cache afterwards.
/// </summary>
public sealed class LocalFeed : IAsyncLifetime
{
    public static readonly string[] PackedProjects =
    [
        "LabThings.Core/LabThings.Core.csproj",
        "LabThings.Outputs/LabThings.Outputs.csproj",
        "LabThings.Server/LabThings.Server.csproj",
        "LabThings.Cameras.Ffmpeg/LabThings.Cameras.Ffmpeg.csproj",
        "LabThings.Client/LabThings.Client.csproj",
        "LabThings.Testing/LabThings.Testing.csproj",
        "examples/LabThings.Examples/LabThings.Examples.csproj",
        "tools/LabThings.ServerTool/LabThings.ServerTool.csproj",
        "tools/LabThings.Cli/LabThings.Cli.csproj",
        "tools/LabThings.ClientGenerator/LabThings.ClientGenerator.csproj",
        "templates/LabThings.Templates.csproj",
    ];

    /// <summary>A folder of its own for everything the packaging tests make.</summary>
    public string Root { get; } = RunningServer.NewTemporaryFolder();

    /// <summary>The feed: a folder of .nupkg files.</summary>
    public string Folder => Path.Combine(Root, "feed");

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public ProcessResult Pack { get; private set; } = new(0, "", "");

    /// <summary>The folder the tool was installed into (<c>dotnet tool install --tool-path</c>).</summary>
    public string ToolPath => Path.Combine(Root, "tools");

    /// <summary>The installed <c>labthings-server</c> command.</summary>
    public string ToolCommand => Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "labthings-server.exe" : "labthings-server");

    /// <summary>The installed <c>labthings-client</c> command.</summary>
    public string ClientToolCommand => Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "labthings-client.exe" : "labthings-client");

    public string Package(string id, string extension = "nupkg") => Path.Combine(Folder, $"{id}.{Version}.{extension}");

    /// <summary>Writes a <c>nuget.config</c> into <paramref name="folder"/> that adds this feed, as README tells users to.</summary>
    public Task WriteNuGetConfigAsync(string folder) => File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="labthings-local" value="{Folder}" />
          </packageSources>
        </configuration>
        """);

    public async Task InitializeAsync()
    {
        // One `dotnet pack` for all the packages (a solution filter), building in a folder of its own (--artifacts-path)
        // so the repository's bin and obj folders, which the running tests use, are untouched.
        var filter = Path.Combine(Root, "packages.slnf");
        await File.WriteAllTextAsync(filter, System.Text.Json.JsonSerializer.Serialize(new
        {
            solution = new { path = Path.Combine(RepositoryPaths.Root, "LabThings.sln"), projects = PackedProjects },
        }));
        Pack = await Processes.DotnetAsync(RepositoryPaths.Root, null, "pack", filter, "-c", "Release", "-o", Folder, "--artifacts-path", Path.Combine(Root, "artifacts"), "-p:Version=" + Version, "-nologo");
        await Processes.DotnetAsync(Root, null, "tool", "install", "LabThings.ServerTool", "--tool-path", ToolPath, "--add-source", Folder, "--version", Version);
        await Processes.DotnetAsync(Root, null, "tool", "install", "LabThings.ClientGenerator", "--tool-path", ToolPath, "--add-source", Folder, "--version", Version);
    }

    public Task DisposeAsync()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var project in PackedProjects)
        {
            var id = Path.GetFileNameWithoutExtension(project).ToLowerInvariant();
            TryDelete(Path.Combine(cache, id, Version.ToLowerInvariant()));
        }

        TryDelete(Root);
        return Task.CompletedTask;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The packaging tests share one local feed and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class LocalFeedGroup : ICollectionFixture<LocalFeed>
{
    public const string Name = "Local feed";
}
