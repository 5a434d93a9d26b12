using System.CommandLine;
using BenchmarkDotNet.Running;

namespace LabThings.Benchmarks.Micro;

/// <summary>
/// The <c>micro</c> command: BenchmarkDotNet micro-benchmarks of the library's hot paths, with the memory diagnoser.
/// Every argument after <c>micro</c> goes to BenchmarkDotNet's <see cref="BenchmarkSwitcher"/>, e.g.
/// <c>--filter '*'</c> (all), <c>--filter '*MjpegStream*'</c>, <c>--list flat</c>, <c>--job short</c>.
/// </summary>
internal static class MicroCommand
{
    public static Command Command()
    {
        var command = new Command(
            "micro",
            "BenchmarkDotNet micro-benchmarks with the memory diagnoser: MjpegStream.AddFrame with 0 and 10 waiting readers, a data property's SetProperty with and without an observer, ThingProperty.SetValue (schema validation), action input binding. The remaining arguments go to BenchmarkDotNet, e.g. --filter '*' (all) or --list flat; without --filter it asks which to run.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(r =>
        {
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run([.. r.UnmatchedTokens]);
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(report => !report.Success)) ? 1 : 0;
        });
        return command;
    }
}
