using Microsoft.Extensions.Logging;

namespace LabThings.Testing;

/// <summary>A logger that keeps every record, in order. Thread-safe.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<TestLogRecord> _records = [];

    public IReadOnlyList<TestLogRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (logLevel == LogLevel.None)
        {
            return;
        }

        Add(new TestLogRecord(logLevel, formatter(state, exception), exception));
    }

    public void Add(TestLogRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }
    }
}

/// <summary>
/// An invocation's logger, as the server's: every record goes to the Thing's logger, and from Information up into the
/// invocation's log. Another Thing used during the invocation logs through <see cref="For"/>.
/// </summary>
internal sealed class TestInvocationLog(ILogger thingLogger, RecordingLogger records) : ILogger, IInvocationLog
{
    public RecordingLogger Records => records;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => thingLogger.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        thingLogger.Log(logLevel, eventId, state, exception, formatter);
        if (logLevel is >= LogLevel.Information and not LogLevel.None)
        {
            records.Add(new TestLogRecord(logLevel, formatter(state, exception), exception));
        }
    }

    public ILogger For(ILogger otherThingLogger) => new TestInvocationLog(otherThingLogger, records);
}
