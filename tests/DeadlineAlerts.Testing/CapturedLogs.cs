using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DeadlineAlerts.Testing;

/// <summary>Every log entry of a container, with its formatted message and its structured values, for asserting
/// what an operator would read (and what must never be there).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string EventName, string Message, IReadOnlyDictionary<string, object?> Values)
    {
        /// <summary>The message and every structured value, as one text to search for a leaked secret.</summary>
        public string AllText => Message + "\n" + string.Join("\n", Values.Select(v => $"{v.Key}={v.Value}"));
    }

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public string AllText => string.Join("\n", _entries.Select(e => e.AllText));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            owner._entries.Enqueue(new Entry(category, logLevel, eventId.Name ?? "", formatter(state, exception) + (exception is null ? "" : "\n" + exception), values));
        }
    }
}
