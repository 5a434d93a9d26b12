using System.Text.Json.Nodes;

namespace LabThings.Testing;

/// <summary>
/// One run of an action started by a <see cref="ThingTestHost{T}"/>, with a real <see cref="ActionContext"/>: its status,
/// output or exception, every progress report and its log. Thread-safe; the lists are copies taken when read.
/// </summary>
public sealed class TestInvocation
{
    private readonly Lock _gate = new();
    private readonly List<double> _progress = [];
    private readonly RecordingLogger _log;
    private readonly CancellationTokenSource _cancellation;
    private TestInvocationStatus _status = TestInvocationStatus.Running;

    internal TestInvocation(string action, RecordingLogger log, CancellationTokenSource cancellation)
    {
        Action = action;
        _log = log;
        _cancellation = cancellation;
    }

    /// <summary>The invocation's id (what <see cref="ActionContext.InvocationId"/> says).</summary>
    public string Id { get; } = Guid.NewGuid().ToString("D");

    /// <summary>The action's wire name.</summary>
    public string Action { get; }

    /// <summary>Running, or how it ended.</summary>
    public TestInvocationStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>What the action returned (a <see cref="Outputs.Blob"/> included), or null until it has completed.</summary>
    public object? Output { get; private set; }

    /// <summary>The output as a client would receive it (serialized as the server does); null for none, or for a blob.</summary>
    public JsonNode? OutputJson { get; private set; }

    /// <summary>What the action threw, when it <see cref="TestInvocationStatus.Failed"/>; otherwise null.</summary>
    public Exception? Exception { get; private set; }

    /// <summary>Every progress report, in order, clamped to 0–1 as the server shows it.</summary>
    public IReadOnlyList<double> Progress
    {
        get
        {
            lock (_gate)
            {
                return [.. _progress];
            }
        }
    }

    /// <summary>
    /// The invocation's log, as a server's <c>log</c> holds it: the records from Information up written through the action's
    /// <see cref="Microsoft.Extensions.Logging.ILogger"/> parameter, its context's logger, or the <c>Logger</c> of this or any
    /// other Thing the action calls; and, as the server adds them, "The invocation was cancelled." or the failure's message.
    /// </summary>
    public IReadOnlyList<TestLogRecord> Log => _log.Snapshot();

    /// <summary>Completes when the action has ended, however it ended (it never faults).</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    /// <summary>Cancels the action's <see cref="CancellationToken"/>, as a client's DELETE would; does nothing once it has ended.</summary>
    public void Cancel()
    {
        if (Status == TestInvocationStatus.Running)
        {
            _cancellation.Cancel();
        }
    }

    /// <summary>Waits until the action has ended.</summary>
    /// <param name="cancellationToken">Stops waiting (the action goes on).</param>
    /// <returns>This invocation.</returns>
    /// <exception cref="TimeoutException">It has not ended after 30 seconds.</exception>
    public async Task<TestInvocation> WaitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Completion.WaitAsync(ThingTestHost.WaitTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The action '{Action}' was still running after {ThingTestHost.WaitTimeout.TotalSeconds} s.");
        }

        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => Exception is { } ex ? $"{Action}: {Status} ({ex.GetType().Name}: {ex.Message})" : $"{Action}: {Status}";

    internal void ReportProgress(double fraction)
    {
        lock (_gate)
        {
            _progress.Add(double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1));
        }
    }

    internal void Complete(object? output, JsonNode? outputJson)
    {
        Output = output;
        OutputJson = outputJson;
        lock (_gate)
        {
            _status = TestInvocationStatus.Completed;
        }
    }

    internal void End(TestInvocationStatus status, Exception? exception)
    {
        Exception = exception;
        lock (_gate)
        {
            _status = status;
        }
    }

    /// <summary>The progress reporter the action gets.</summary>
    internal sealed class Reporter(TestInvocation invocation) : IProgress<double>
    {
        public void Report(double value) => invocation.ReportProgress(value);
    }
}
