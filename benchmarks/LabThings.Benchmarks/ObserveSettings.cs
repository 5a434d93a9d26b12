namespace LabThings.Benchmarks;

/// <summary>The options of the <c>observe</c> benchmark.</summary>
internal sealed record ObserveSettings
{
    public const string Usage = """
        observe options (all optional):
          --observers 1,100,1000       WebSocket observer counts, one run each
          --rate 1000                  property changes per second (a paced setter thread)
          --seconds 10                 measured window per run (after the warm-up)
          --warmup 2                   warm-up before each window, seconds
          --grace 1                    after the window, how long observers keep reading before they stop
          --generator process|inproc   observers in a child process (default) or in the server's process
          --client raw|dotnet          raw-socket WebSocket client (default, cheapest) or ClientWebSocket
        """;

    public int[] Observers { get; init; } = [1, 100, 1000];

    public double Rate { get; init; } = 1000;

    public double Seconds { get; init; } = 10;

    public double Warmup { get; init; } = 2;

    public double Grace { get; init; } = 1;

    public bool InProcessGenerator { get; init; }

    public ObserverClientKind Client { get; init; } = ObserverClientKind.Raw;

    /// <summary>Internal: this process is the observers' child process (reads its plan from stdin).</summary>
    public bool ObserverProcess { get; init; }

    public static ObserveSettings From(CommandLine line)
    {
        var generator = line.String("generator", "process");
        var client = line.String("client", "raw");
        var settings = new ObserveSettings
        {
            Observers = line.IntList("observers", "1,100,1000"),
            Rate = line.Double("rate", 1000),
            Seconds = line.Double("seconds", 10),
            Warmup = line.Double("warmup", 2),
            Grace = line.Double("grace", 1),
            InProcessGenerator = generator switch
            {
                "process" => false,
                "inproc" => true,
                _ => throw new ArgumentException("--generator must be process or inproc."),
            },
            Client = client switch
            {
                "raw" => ObserverClientKind.Raw,
                "dotnet" => ObserverClientKind.ClientWebSocket,
                _ => throw new ArgumentException("--client must be raw or dotnet."),
            },
            ObserverProcess = line.Flag("observer-process"),
        };
        if (settings.Observers.Length == 0 || settings.Observers.Any(n => n is < 1 or > 5000))
        {
            throw new ArgumentException("--observers must list counts between 1 and 5000.");
        }

        if (settings.Rate is < 1 or > 20_000 || settings.Seconds is <= 0 or > 60 || settings.Warmup is < 0 or > 30 || settings.Grace is < 0 or > 10)
        {
            throw new ArgumentException("--rate must be 1..20000, --seconds 0..60, --warmup 0..30, --grace 0..10.");
        }

        return settings;
    }
}

internal enum ObserverClientKind
{
    Raw,
    ClientWebSocket,
}
