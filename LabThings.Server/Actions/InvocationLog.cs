using Microsoft.Extensions.Logging;

namespace LabThings.Server.Actions;

/// <summary>One log record written while an invocation ran (field names as labthings-fastapi's log records).</summary>
internal sealed record InvocationLogRecord(string Message, string LevelName, int LevelNo, DateTimeOffset Created, string? ExceptionType);

/// <summary>
/// The logger an action receives: every record goes to the Thing's logger and, from Information up, into the
/// invocation's log (bounded: the oldest records are dropped past <see cref="MaxRecords"/>).
/// </summary>
internal sealed class InvocationLog(ILogger thingLogger, TimeProvider time) : ILogger, IInvocationLog
{
    public const int MaxRecords = 1000;
    private readonly Lock _gate = new();
    private readonly Queue<InvocationLogRecord> _records = new();
    private readonly InvocationLog? _target;

    public IReadOnlyList<InvocationLogRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => thingLogger.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || thingLogger.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        thingLogger.Log(logLevel, eventId, state, exception, formatter);
        if (logLevel < LogLevel.Information || logLevel == LogLevel.None)
        {
            return;
        }

        Add(logLevel, formatter(state, exception), exception?.GetType().Name);
    }

    /// <summary>Adds a record to the invocation's log only (the server logs separately).</summary>
    /// <inheritdoc/>
    public ILogger For(ILogger otherThingLogger) => new InvocationLog(otherThingLogger, time, this);

    /// <summary>Writes to another Thing's logger and into <paramref name="records"/>' records.</summary>
    private InvocationLog(ILogger otherThingLogger, TimeProvider time, InvocationLog records)
        : this(otherThingLogger, time)
    {
        _target = records;
    }

    public void Add(LogLevel level, string message, string? exceptionType = null)
    {
        var (name, number) = level switch
        {
            LogLevel.Trace or LogLevel.Debug => ("DEBUG", 10),
            LogLevel.Information => ("INFO", 20),
            LogLevel.Warning => ("WARNING", 30),
            LogLevel.Error => ("ERROR", 40),
            _ => ("CRITICAL", 50),
        };
        if (_target is { } target && !ReferenceEquals(target, this))
        {
            target.Add(level, message, exceptionType);
            return;
        }

        lock (_gate)
        {
            if (_records.Count == MaxRecords)
            {
                _records.Dequeue();
            }

            _records.Enqueue(new InvocationLogRecord(message, name, number, time.GetUtcNow(), exceptionType));
        }
    }
}
