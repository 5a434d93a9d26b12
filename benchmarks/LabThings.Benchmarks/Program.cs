using System.CommandLine;
using BenchmarkDotNet.Running;
using LabThings.Benchmarks;

// dotnet run -c Release --project benchmarks/LabThings.Benchmarks -- <command> [options]
// --help lists the commands, <command> --help a command's options; docs/performance.md has every figure and the
// command that made it. The internal commands are how the benchmarks start this same program as a child process.
var micro = new Command("micro", "BenchmarkDotNet micro-benchmarks with the memory diagnoser (Micro/): MjpegStream.AddFrame with 0 and 10 waiting readers, a data property's SetProperty with and without an observer, ThingProperty.SetValue (schema validation), action input binding. Every further argument goes to BenchmarkDotNet, e.g. --filter '*' (all), --filter '*MjpegStream*', --list flat; without --filter it asks which to run.")
{
    TreatUnmatchedTokensAsErrors = false,
};
micro.SetAction(r =>
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(MjpegBenchmark).Assembly).Run([.. r.UnmatchedTokens]);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(b => !b.Success)) ? 1 : 0;
});
var clients = new Command("clients", "internal: the mjpeg command's load generator in a child process (a plan on stdin, its report on stdout)");
clients.SetAction(_ => LoadGenerator.ChildMainAsync<MjpegPlan, StreamResult>());
var root = new RootCommand("LabThings for .NET benchmarks: end-to-end runs over HTTP on 127.0.0.1 (mjpeg, observe, properties, actions) and BenchmarkDotNet micro-benchmarks (micro). Each prints Markdown on stdout and progress on stderr; '<command> --help' lists its options.")
{
    MjpegBenchmark.Command(),
    ObserveBenchmark.Command(),
    PropertiesBenchmark.Command(),
    ActionsBenchmark.Command(),
    MemoryBenchmark.Command(),
    MemoryBenchmark.ServerCommand(),
    micro,
    clients,
    ExampleServerHost.Command(),
};
return await root.Parse(args).InvokeAsync();
