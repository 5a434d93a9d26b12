using System.Net.Http.Headers;
using LabThings.ClientGenerator.Generation;

namespace LabThings.ClientGenerator;

/// <summary>What <c>labthings-client generate</c> was asked to do.</summary>
/// <param name="Sources">TD URLs, listing URLs and files.</param>
/// <param name="Output">The folder to write the files into (created if missing).</param>
/// <param name="Namespace">The generated code's namespace.</param>
/// <param name="Timeout">How long to wait for each HTTP answer.</param>
/// <param name="Authorization">
/// Credentials (Basic or Bearer) for reading the TDs, or null. They go only to the origins the user named: those of the
/// URLs given as sources and of URLs listed in the files given; never to another origin a server's listing points at.
/// </param>
internal sealed record GenerateArguments(IReadOnlyList<string> Sources, string Output, string Namespace, TimeSpan Timeout, AuthenticationHeaderValue? Authorization = null);

/// <summary>
/// <c>labthings-client generate</c>: reads every source, checks every TD, and only then writes one file per Thing. Nothing
/// is written when any source fails.
/// </summary>
internal static class GenerateCommand
{
    public static async Task<int> RunAsync(GenerateArguments arguments, TextWriter output, TextWriter error, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        if (!CodeGenerator.IsNamespace(arguments.Namespace))
        {
            await error.WriteLineAsync($"labthings-client: '{arguments.Namespace}' is not a C# namespace (dotted identifiers, such as Lab.Clients).").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = arguments.Timeout;
        var loader = new TdLoader(http, arguments.Authorization);
        var descriptions = new List<LoadedTd>();
        var exitCode = ExitCodes.Success;
        foreach (var source in arguments.Sources)
        {
            try
            {
                descriptions.AddRange(await loader.LoadAsync(source, cancellationToken).ConfigureAwait(false));
            }
            catch (SourceException e)
            {
                await error.WriteLineAsync("labthings-client: " + e.Message).ConfigureAwait(false);
                exitCode = Math.Max(exitCode, e.ExitCode);
            }
        }

        foreach (var td in descriptions)
        {
            foreach (var problem in TdCheck.Problems(td.Description))
            {
                await error.WriteLineAsync($"labthings-client: {td.Source}: not a valid Thing Description: {problem}").ConfigureAwait(false);
                exitCode = Math.Max(exitCode, ExitCodes.InvalidDescription);
            }
        }

        if (exitCode != ExitCodes.Success)
        {
            await error.WriteLineAsync("labthings-client: nothing was written.").ConfigureAwait(false);
            return exitCode;
        }

        var files = CodeGenerator.Generate(descriptions.Select(d => d.Description).ToList(), arguments.Namespace);
        var folder = Path.GetFullPath(arguments.Output);
        try
        {
            Directory.CreateDirectory(folder);
            for (var i = 0; i < files.Count; i++)
            {
                var path = Path.Combine(folder, files[i].FileName);
                await File.WriteAllTextAsync(path, files[i].Text, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"{path}: {files[i].ClassName} (from {descriptions[i].Source})").ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"labthings-client: cannot write to {folder}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.OutputNotWritable;
        }

        return ExitCodes.Success;
    }
}
