using Microsoft.Extensions.Logging;

namespace LabThings.Testing;

/// <summary>A log record written by a Thing under test (through its <c>Logger</c>, or an action's logger).</summary>
/// <param name="Level">The record's level.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception logged with it, or null.</param>
public sealed record TestLogRecord(LogLevel Level, string Message, Exception? Exception);
