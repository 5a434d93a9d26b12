using System.CommandLine;
using LabThings.ClientGenerator;

var sources = new Argument<string[]>("sources")
{
    Description = "Thing Description URLs (http://host:port/thing/), server listings (http://host:port/things/), or TD files.",
    HelpName = "URL|FILE",
    Arity = ArgumentArity.OneOrMore,
};
var output = new Option<string>("--output", "-o")
{
    Description = "The folder to write the generated files into (created if missing).",
    HelpName = "DIR",
    Required = true,
};
var @namespace = new Option<string>("--namespace", "-n")
{
    Description = "The namespace of the generated code.",
    HelpName = "NAMESPACE",
    Required = true,
};
var timeout = new Option<double>("--timeout")
{
    Description = "Seconds to wait for each HTTP answer.",
    HelpName = "SECONDS",
    DefaultValueFactory = _ => 30,
};

var user = new Option<string?>("--user", "-u")
{
    Description = "User name for HTTP Basic authentication, sent only to the servers named here (a source URL, or one listed in a source file).",
    HelpName = "NAME",
};
var password = new Option<string?>("--password")
{
    Description = "Password for --user (visible to other users of this computer: prefer LABTHINGS_PASSWORD).",
    HelpName = "PASSWORD",
};
var token = new Option<string?>("--token")
{
    Description = "Bearer token, sent only to the servers named here (default: LABTHINGS_TOKEN).",
    HelpName = "TOKEN",
};

var generate = new Command("generate", "Generates a typed C# client for each Thing, one file per Thing (needs the LabThings.Client package).")
{
    sources,
    output,
    @namespace,
    timeout,
    user,
    password,
    token,
};
generate.SetAction(async (parse, cancellationToken) =>
{
    var authorization = Credentials.Header(
        parse.GetValue(user),
        parse.GetValue(password) ?? Environment.GetEnvironmentVariable("LABTHINGS_PASSWORD"),
        parse.GetValue(token) ?? Environment.GetEnvironmentVariable("LABTHINGS_TOKEN"),
        passwordGiven: parse.GetValue(password) is not null,
        tokenGiven: parse.GetValue(token) is not null,
        out var problem);
    if (problem is not null)
    {
        await Console.Error.WriteLineAsync("labthings-client: " + problem).ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    return await GenerateCommand.RunAsync(
        new GenerateArguments(parse.GetValue(sources) ?? [], parse.GetValue(output)!, parse.GetValue(@namespace)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), authorization),
        Console.Out,
        Console.Error,
        cancellationToken: cancellationToken).ConfigureAwait(false);
});

var root = new RootCommand("Generates typed C# clients from W3C Thing Descriptions. See docs/clients.md.") { generate };
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
