using LabThings.Examples;
using LabThings.Server;

// `hash-password` prints the hash of a password (read from standard input) for LabThings:Security:Basic:Users:{user}:PasswordHash.
if (args is ["hash-password", ..])
{
    Console.Error.Write("Password: ");
    var password = Console.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("No password given.");
        return 2;
    }

    Console.WriteLine(LabThingsUser.HashPassword(password));
    return 0;
}

await ExampleApp.CreateApp(args).RunAsync();
return 0;
