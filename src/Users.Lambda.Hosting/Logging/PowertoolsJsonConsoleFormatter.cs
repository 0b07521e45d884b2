using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Users.Lambda.Hosting.Runtime;
using Users.Logging;

namespace Users.Lambda.Hosting.Logging;

/// <summary>What <see cref="PowertoolsJsonConsoleFormatter"/> writes besides the entry itself.</summary>
internal sealed class PowertoolsLogSettings
{
    /// <summary>POWERTOOLS_SERVICE_NAME, or Powertools' own default.</summary>
    public string ServiceName { get; set; } = "service_undefined";

    public string? FunctionName { get; set; }

    public string? FunctionVersion { get; set; }

    public int? FunctionMemorySize { get; set; }
}

/// <summary>
/// One JSON object per line, with the field names AWS Lambda Powertools uses (timestamp, level, service, message,
/// cold_start, function_name, function_version, function_memory_size, function_arn, function_request_id, xray_trace_id),
/// so log queries written for Powertools work on this function.
/// </summary>
internal sealed class PowertoolsJsonConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "powertools";

    private readonly PowertoolsLogSettings settings;

    public PowertoolsJsonConsoleFormatter(PowertoolsLogSettings settings)
        : base(FormatterName)
    {
        this.settings = settings;
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var invocation = LambdaInvocationContext.Current;
        using (var line = new JsonLogLine(textWriter))
        {
            var json = line.Json;
            json.WriteString("timestamp", LogJson.Timestamp());
            json.WriteString("level", logEntry.LogLevel.ToString());
            json.WriteString("service", settings.ServiceName);
            json.WriteString("name", logEntry.Category);
            json.WriteString("message", message ?? logEntry.Exception!.Message);
            json.WriteBoolean("cold_start", LambdaInvocationContext.ColdStart);
            WriteIfPresent(json, "function_name", settings.FunctionName);
            WriteIfPresent(json, "function_version", settings.FunctionVersion);
            if (settings.FunctionMemorySize is { } memory)
            {
                json.WriteNumber("function_memory_size", memory);
            }

            WriteIfPresent(json, "function_arn", invocation?.FunctionArn);
            WriteIfPresent(json, "function_request_id", invocation?.RequestId);
            WriteIfPresent(json, "xray_trace_id", XrayTraceId(invocation?.TraceId));
            if (logEntry.EventId.Id != 0)
            {
                json.WriteNumber("event_id", logEntry.EventId.Id);
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }

            // Structured values of the message template, as Powertools appends extra keys.
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key != "{OriginalFormat}" && !ReservedKeys.Contains(key))
                    {
                        LogJson.WriteValue(json, key, value);
                    }
                }
            }
        }
    }

    private static readonly HashSet<string> ReservedKeys =
    [
        "timestamp", "level", "service", "name", "message", "cold_start", "function_name", "function_version",
        "function_memory_size", "function_arn", "function_request_id", "xray_trace_id", "event_id", "exception",
    ];

    /// <summary>"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=...;Sampled=1" gives "1-5759e988-bd862e3fe1be46a994272793".</summary>
    internal static string? XrayTraceId(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("Root=", StringComparison.Ordinal))
            {
                return part["Root=".Length..];
            }
        }

        return header;
    }

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>POWERTOOLS_LOG_LEVEL (or AWS_LAMBDA_LOG_LEVEL): Debug, Info/Information, Warn/Warning, Error, Critical/Fatal, ...</summary>
    internal static LogLevel? ParseLevel(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" or "INFORMATION" => LogLevel.Information,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" or "FATAL" => LogLevel.Critical,
        "NONE" => LogLevel.None,
        _ => null,
    };
}
