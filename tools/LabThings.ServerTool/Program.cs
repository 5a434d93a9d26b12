using System.CommandLine;
using LabThings.Server;
using LabThings.ServerTool;

var config = new Option<FileInfo?>("--config", "-c")
{
    Description = "A JSON configuration file (its JSON Schema: `labthings-server schema`).",
    HelpName = "FILE",
};
var json = new Option<string?>("--json")
{
    Description = "Configuration as JSON text, applied over the file.",
    HelpName = "TEXT",
};
var urls = new Option<string?>("--urls")
{
    Description = "Where to listen, ';'-separated (default http://127.0.0.1:5000; port 0 picks a free port).",
    HelpName = "URLS",
};
var fallback = new Option<bool>("--fallback")
{
    Description = "If start-up fails, keep listening and answer every request with a page listing the problems.",
};

var root = new RootCommand(
    "Runs a LabThings server from a JSON configuration. Environment variables LABTHINGS_{Key} (e.g. LABTHINGS_LabThings__Title) "
    + "and arguments --{Key}=value (e.g. --LabThings:Title=Microscope) override the file. See docs/hosting.md.")
{
    config,
    json,
    urls,
    fallback,
};
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction((parse, cancellationToken) => ServerRunner.RunAsync(
    new ServerArguments(parse.GetValue(config), parse.GetValue(json), parse.GetValue(urls), parse.GetValue(fallback), [.. parse.UnmatchedTokens]),
    Console.Out,
    Console.Error,
    cancellationToken));

var schema = new Command("schema", "Prints the configuration's JSON Schema.");
schema.SetAction(_ =>
{
    Console.Out.WriteLine(ConfigurationSchema.Text);
    return 0;
});
root.Subcommands.Add(schema);

var hashPassword = new Command("hash-password", "Reads a password from standard input and prints its hash, for LabThings:Security:Basic:Users:{user}:PasswordHash.");
hashPassword.SetAction(_ =>
{
    Console.Error.Write("Password: ");
    var password = Console.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("No password given.");
        return 2;
    }

    Console.Out.WriteLine(LabThingsUser.HashPassword(password));
    return 0;
});
root.Subcommands.Add(hashPassword);

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
