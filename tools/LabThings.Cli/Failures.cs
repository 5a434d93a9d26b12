using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text.Json;
using LabThings.Client;

namespace LabThings.Cli;

/// <summary>Runs a command's body and turns each failure into a message on standard error and an exit code, never a stack trace.</summary>
internal static class Failures
{
    public static async Task<int> GuardAsync(CliConsole console, TimeSpan timeout, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        var error = console.Error;
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("labthings: interrupted.");
            return ExitCodes.Cancelled;
        }
        catch (CliException ex)
        {
            if (ex.Problem is { } problem)
            {
                PrintProblem(error, problem);
            }

            error.WriteLine($"labthings: {ex.Message}");
            return ex.ExitCode;
        }
        catch (ThingProblemException ex)
        {
            PrintProblem(error, ex);
            return ExitCodes.Refused;
        }
        catch (ThingActionException ex)
        {
            error.WriteLine($"labthings: the action '{ex.Action}' ended with status '{ex.InvocationStatus}'.");
            var why = string.Join(": ", new[] { ex.Title, ex.Detail }.Where(s => !string.IsNullOrEmpty(s)));
            if (why.Length > 0)
            {
                error.WriteLine($"  {why}");
            }

            if (ex.Invocation is { } invocation)
            {
                error.WriteLine($"  Its invocation (with its log): {invocation}");
            }

            return ExitCodes.Failed;
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"labthings: no answer within {timeout.TotalSeconds:0.###} s (--timeout)."));
            return ExitCodes.Unreachable;
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"labthings: could not reach the server: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (Exception ex) when (ex is HttpIOException or IOException or WebSocketException)
        {
            // Files are written inside CliException handlers; an IOException here is the connection's.
            error.WriteLine($"labthings: the connection broke: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (NotSupportedException ex)
        {
            error.WriteLine($"labthings: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            error.WriteLine($"labthings: the server's answer was not understood: {ex.Message}");
            return ExitCodes.BadAnswer;
        }
#pragma warning disable CA1031 // The last resort: a message, not a crash with a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error.WriteLine($"labthings: unexpected error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Prints a refusal: status and title, detail, and each offending field.</summary>
    public static void PrintProblem(TextWriter error, ThingProblemException problem)
    {
        error.WriteLine($"labthings: the server refused the request: {(int)problem.Status} {problem.Title}");
        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            foreach (var line in problem.Detail.Split('\n'))
            {
                error.WriteLine($"  {line.TrimEnd()}");
            }
        }

        foreach (var field in problem.Errors)
        {
            var where = field.Field.Length == 0 ? "value" : field.Field;
            error.WriteLine(field.Rule is null ? $"  - {where}: {field.Message}" : $"  - {where}: {field.Message} ({field.Rule})");
        }

        if (problem.Status is HttpStatusCode.Unauthorized)
        {
            error.WriteLine("  Give credentials with --user (and --password or LABTHINGS_PASSWORD) or --token (or LABTHINGS_TOKEN).");
        }
    }
}
