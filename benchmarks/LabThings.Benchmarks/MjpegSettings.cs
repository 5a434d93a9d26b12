namespace LabThings.Benchmarks;

/// <summary>The options of the <c>mjpeg</c> benchmark.</summary>
internal sealed record MjpegSettings
{
    public const string Usage = """
        mjpeg options (all optional):
          --clients 1,10,100,200,500   client counts for the fan-out runs
          --seconds 10                 measured window per fan-out run (after the warm-up)
          --warmup 2                   warm-up before each window, seconds
          --fps 30                     paced producer rate
          --frame-kb 100               frame size, KiB
          --producer-seconds 2         length of each tight AddFrame loop
          --producer-repeats 3         (0 clients, 10 clients) pairs of tight loops
          --slow-clients 2             throttled clients in the slow-client run
          --slow-rate-kb 64            their read rate, KiB/s
          --slow-receive-buffer-kb 32  their socket receive buffer (SO_RCVBUF), KiB
          --slow-normal-clients 10     normal clients alongside them
          --slow-seconds 15            measured window of the slow-client runs
          --generator process|inproc   load generator in a child process (default) or in the server's process
          --send-buffer-kb N|os        LabThingsOptions.StreamSocketSendBufferBytes (default: the library default)
          --response-buffer-kb N       Kestrel Limits.MaxResponseBufferSize (default: Kestrel's, 64)
          --transport-write-buffer-kb N  Kestrel socket transport MaxWriteBufferSize (default: Kestrel's, 64)
          --only fanout,producer,slow  run only these parts
        """;

    public int[] Clients { get; init; } = [1, 10, 100, 200, 500];

    public double Seconds { get; init; } = 10;

    public double Warmup { get; init; } = 2;

    public double Fps { get; init; } = 30;

    public int FrameBytes { get; init; } = 100 * 1024;

    public double ProducerSeconds { get; init; } = 2;

    public int ProducerRepeats { get; init; } = 3;

    public int SlowClients { get; init; } = 2;

    public int SlowRateBytesPerSecond { get; init; } = 64 * 1024;

    public int SlowReceiveBufferBytes { get; init; } = 32 * 1024;

    public int SlowNormalClients { get; init; } = 10;

    public double SlowSeconds { get; init; } = 15;

    public bool InProcessGenerator { get; init; }

    /// <summary>Null: leave the library default. "os" maps to <see cref="SendBufferOs"/>.</summary>
    public int? SendBufferBytes { get; init; }

    public bool SendBufferOs { get; init; }

    public int? ResponseBufferBytes { get; init; }

    public int? TransportWriteBufferBytes { get; init; }

    public IReadOnlySet<string> Parts { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "fanout", "producer", "slow" };

    public static MjpegSettings From(CommandLine line)
    {
        var generator = line.String("generator", "process");
        if (generator is not ("process" or "inproc"))
        {
            throw new ArgumentException("--generator is process or inproc.");
        }

        var sendBuffer = line.String("send-buffer-kb", "");
        var responseBuffer = line.String("response-buffer-kb", "");
        var transportBuffer = line.String("transport-write-buffer-kb", "");
        var settings = new MjpegSettings
        {
            Clients = line.IntList("clients", "1,10,100,200,500"),
            Seconds = line.Double("seconds", 10),
            Warmup = line.Double("warmup", 2),
            Fps = line.Double("fps", 30),
            FrameBytes = line.Int("frame-kb", 100) * 1024,
            ProducerSeconds = line.Double("producer-seconds", 2),
            ProducerRepeats = line.Int("producer-repeats", 3),
            SlowClients = line.Int("slow-clients", 2),
            SlowRateBytesPerSecond = line.Int("slow-rate-kb", 64) * 1024,
            SlowReceiveBufferBytes = line.Int("slow-receive-buffer-kb", 32) * 1024,
            SlowNormalClients = line.Int("slow-normal-clients", 10),
            SlowSeconds = line.Double("slow-seconds", 15),
            InProcessGenerator = generator == "inproc",
            SendBufferOs = sendBuffer == "os",
            SendBufferBytes = sendBuffer is "" or "os" ? null : int.Parse(sendBuffer, System.Globalization.CultureInfo.InvariantCulture) * 1024,
            ResponseBufferBytes = responseBuffer is "" ? null : int.Parse(responseBuffer, System.Globalization.CultureInfo.InvariantCulture) * 1024,
            TransportWriteBufferBytes = transportBuffer is "" ? null : int.Parse(transportBuffer, System.Globalization.CultureInfo.InvariantCulture) * 1024,
            Parts = line.String("only", "fanout,producer,slow").Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        };
        if (settings.Clients.Any(n => n < 1) || settings.Seconds <= 0 || settings.Warmup < 0 || settings.Fps <= 0
            || settings.FrameBytes < 1024 || settings.ProducerSeconds <= 0 || settings.SlowRateBytesPerSecond < 1024)
        {
            throw new ArgumentException("Client counts, durations, rates and sizes must be positive.");
        }

        if (settings.Clients.Max() > 2000 || settings.Seconds > 60 || settings.SlowSeconds > 60)
        {
            throw new ArgumentException("Bounded on purpose: at most 2000 clients and 60 s per window.");
        }

        return settings;
    }
}
