namespace LabThings.Server;

/// <summary>Options for a LabThings server, set with <c>services.AddLabThings(options => …)</c>.</summary>
public sealed class LabThingsOptions
{
    /// <summary>
    /// Which Things fill which slots (<see cref="ThingSlotAttribute"/>), overriding the attribute: by Thing, then slot
    /// name, Thing names separated by commas, e.g. <c>LabThings:Slots:autofocus:Camera=camera</c>.
    /// </summary>
    public IDictionary<string, IDictionary<string, string>> Slots { get; } = new Dictionary<string, IDictionary<string, string>>(StringComparer.Ordinal);

    /// <summary>
    /// A server-wide lock (labthings-fastapi's global lock): one action invocation or property write at a time
    /// across all Things, except members that opt out with <c>GlobalLock = false</c> on their attribute.
    /// <see cref="GlobalLockMode.Off"/> by default.
    /// </summary>
    public GlobalLockMode GlobalLock { get; set; } = GlobalLockMode.Off;

    /// <summary>Authentication and permissions; see <see cref="LabThingsSecurityOptions"/> (configuration section <c>LabThings:Security</c>).</summary>
    public LabThingsSecurityOptions Security { get; } = new();

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>, e.g. <c>https://dashboard.lab.example</c>) whose web pages may change
    /// things on this server (write properties, invoke and cancel actions) and open its WebSockets, besides the
    /// server's own pages. A request from any other origin is refused with 403; requests without an <c>Origin</c>
    /// (scripts, command-line and Python clients) are not affected. Default: none.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Host names (as in the <c>Host</c> header, with the port if there is one) accepted for requests that arrive over
    /// a loopback connection, besides <c>localhost</c>, 127.0.0.1 and [::1]. Any other is refused with 400, so that a
    /// web page cannot reach a server bound to loopback by pointing a name of its own at 127.0.0.1. Default: none.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// A path every LabThings URL is served under, e.g. <c>/api</c>: the Thing Descriptions are then at
    /// <c>/api/{thing}/</c>, the OpenAPI document at <c>/api/openapi.json</c>, and requests outside it are answered 404.
    /// Null or empty (the default) serves at the root.
    /// </summary>
    public string? PathPrefix { get; set; }

    /// <summary>The title of the OpenAPI document and Swagger UI page. Default <c>LabThings</c>.</summary>
    public string Title { get; set; } = "LabThings";

    /// <summary>
    /// Whether to serve Swagger UI at <c>/docs</c> (all of its files come from this server: no CDN). Default true.
    /// </summary>
    public bool SwaggerUi { get; set; } = true;

    /// <summary>
    /// Where the server's own web page is served: a list of the Things at this path, and a live page per Thing
    /// (<c>?thing={name}</c>) built in the browser from its Thing Description, with controls for its properties and
    /// actions, its streams and an event feed. All of its files come from this server (no CDN). An endpoint the
    /// application maps at the same path itself takes precedence. Null serves no page. Default <c>/</c>.
    /// </summary>
    public string? UiPath { get; set; } = "/";

    /// <summary>
    /// Whether errors with no body (404 for an unknown URL, 405, unhandled exceptions) are answered with RFC 9457
    /// problem details (<c>application/problem+json</c>), as LabThings clients expect. Default true.
    /// </summary>
    public bool ProblemDetailsForErrors { get; set; } = true;

    /// <summary>
    /// Whether the server gives memory back to the operating system after a burst of clients has left: once at least
    /// 32 requests were in progress at once (stream viewers, WebSocket and SSE observers, requests), and for about two
    /// seconds no more than a quarter of that peak have been, it runs one full, compacting garbage collection in the
    /// runtime's aggressive mode. That pauses the server for a few milliseconds once per burst. Without it the memory
    /// those clients' connections used stays with the process until the runtime next collects everything, which a
    /// server that allocates little may not do for a long time. Default true.
    /// </summary>
    public bool ReturnMemoryAfterLoad { get; set; } = true;

    /// <summary>
    /// The folder where settings (<c>[ThingSetting]</c> properties) are saved, one JSON file per Thing
    /// (<c>{thing}.json</c>). A relative path is relative to the current directory when the server starts.
    /// Default <c>settings</c>.
    /// </summary>
    public string SettingsFolder { get; set; } = "settings";

    /// <summary>
    /// The most finished action invocations kept on the server; past it the oldest are forgotten before their
    /// retention time. Default 1000.
    /// </summary>
    public int MaxInvocations { get; set; } = 1000;

    /// <summary>
    /// The most unfinished (pending or running) invocations the server holds; a request for another is refused with
    /// 429 Too Many Requests and <c>Retry-After</c>. Default 256.
    /// </summary>
    public int MaxPendingInvocations { get; set; } = 256;

    /// <summary>
    /// The most unfinished (pending or running) invocations of one action of one Thing; a request for another is
    /// refused with 429 Too Many Requests and <c>Retry-After</c>. Default 64.
    /// </summary>
    public int MaxPendingInvocationsPerAction { get; set; } = 64;

    /// <summary>
    /// How long <c>POST /{thing}/{action}/sync</c> waits for the action to finish before answering 202 with the
    /// invocation to poll instead of the output. Default 30 seconds.
    /// </summary>
    public TimeSpan SyncActionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The socket send buffer, in bytes, for connections that carry an MJPEG stream; null keeps the operating
    /// system's default. A small buffer keeps a slow client's frames fresh: data queued for it is bounded by
    /// this plus the server's own response buffer. Default 64 KiB.
    /// </summary>
    public int? StreamSocketSendBufferBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// On Linux, the most unsent bytes the kernel may hold for an MJPEG stream connection before the server
    /// writes more (TCP_NOTSENT_LOWAT); null keeps the system's behaviour. Keeps a slow client's frames fresh
    /// without slowing fast ones. Ignored on other systems. Default 16 KiB.
    /// </summary>
    public int? StreamNotSentLowWaterBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// On Linux, an MJPEG client whose frame took longer than this to be taken by its connection is paced: after each
    /// frame the server waits until the client has read it before choosing the next, so a slow client gets the newest
    /// frame rather than one that queued behind the last in its receive buffer. A client that keeps up again is no
    /// longer paced. Null turns pacing off. Ignored on other systems. Default 200 ms.
    /// </summary>
    public TimeSpan? StreamSlowClientThreshold { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How many MJPEG parts the server sends at once, across all its streams; null sets no limit. Each part in flight
    /// holds a copy of its frame until its connection has taken it, so this bounds that memory however many clients
    /// watch. A client that waits for its turn gets the newest frame then, skipping the ones it missed. A part that has
    /// not been taken within about 100 ms stops counting, so clients that do not read cannot hold the others up.
    /// Default 64: on a 2-core machine, 500 clients of a 100 KiB, 30 fps stream got as many frames with the limit
    /// as without it, with half the latency and about 65 MB less memory (docs/performance.md).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? StreamConcurrentSends
    {
        get => _streamConcurrentSends;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "StreamConcurrentSends must be at least 1, or null for no limit.");
            }

            _streamConcurrentSends = value;
        }
    }

    private int? _streamConcurrentSends = 64;
}

/// <summary>What the server-wide lock does with a request that finds it held.</summary>
public enum GlobalLockMode
{
    /// <summary>No server-wide lock.</summary>
    Off,

    /// <summary>Refuse it: an action invocation or a property write is answered 409, naming what holds the lock.</summary>
    Refuse,

    /// <summary>Wait: an invocation stays pending until the lock is free; a property write waits up to <see cref="LabThingsOptions.SyncActionTimeout"/>, then 409.</summary>
    Wait,
}
