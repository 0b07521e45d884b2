using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Users.Logging;

namespace Users.Functions.Logging;

/// <summary>
/// One JSON object per line: <c>timestamp</c>, <c>level</c>, <c>category</c>, <c>message</c>, the request's
/// <c>request_id</c>, <c>trace_id</c> and <c>span_id</c> (from the hosting scope), the message's own fields
/// in snake_case, and <c>exception</c> when there is one. Built for log pipelines (CloudWatch, Loki, Fluent Bit).
/// </summary>
public sealed class JsonLineFormatter : ConsoleFormatter
{
    public const string FormatterName = "jsonline";

    public JsonLineFormatter()
        : base(FormatterName)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        using (var line = new JsonLogLine(textWriter))
        {
            var json = line.Json;
            json.WriteString("timestamp", LogJson.Timestamp());
            json.WriteString("level", LevelName(logEntry.LogLevel));
            json.WriteString("category", logEntry.Category);
            json.WriteString("message", message ?? string.Empty);

            var written = new HashSet<string>(StringComparer.Ordinal) { "timestamp", "level", "category", "message" };
            scopeProvider?.ForEachScope(
                static (scope, state) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            WriteField(state.json, state.written, key, value);
                        }
                    }
                },
                (json, written));

            if (logEntry.State is IEnumerable<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    WriteField(json, written, key, value);
                }
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }
        }
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };

    private static void WriteField(Utf8JsonWriter json, HashSet<string> written, string key, object? value)
    {
        if (key == "{OriginalFormat}")
        {
            return;
        }

        var name = SnakeCase(key);
        if (!written.Add(name))
        {
            return;
        }

        LogJson.WriteValue(json, name, value);
    }

    /// <summary><c>RequestId</c> → <c>request_id</c>, <c>DurationMs</c> → <c>duration_ms</c>.</summary>
    public static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

/// <summary>Registers <see cref="JsonLineFormatter"/> as the only console output.</summary>
public static class JsonLoggingExtensions
{
    public static ILoggingBuilder AddJsonLineConsole(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddConsole(options => options.FormatterName = JsonLineFormatter.FormatterName);
        // Registered by hand rather than with AddConsoleFormatter, which binds options by reflection (not trim/AOT-safe).
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, JsonLineFormatter>());
        return logging;
    }
}
