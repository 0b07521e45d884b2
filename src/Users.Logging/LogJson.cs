using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Users.Logging;

/// <summary>What both JSON log formatters (Kestrel's and Lambda's Powertools-shaped one) write the same way.</summary>
public static class LogJson
{
    /// <summary>UTC, millisecond precision, ISO 8601 with a Z.</summary>
    public static string Timestamp() =>
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A structured value of a log message: numbers and booleans as JSON numbers and booleans, the rest as text.</summary>
    public static void WriteValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(name);
                break;
            case ulong big:
                // Beyond long.MaxValue, Convert.ToInt64 would throw out of the log call.
                json.WriteNumber(name, big);
                break;
            case int or long or short or byte or uint or ushort:
                json.WriteNumber(name, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                // JSON has no NaN or infinity (the writer throws on them): those are written as text.
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(number))
                {
                    json.WriteNumber(name, number);
                }
                else
                {
                    json.WriteString(name, number.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case bool flag:
                json.WriteBoolean(name, flag);
                break;
            default:
                json.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}

/// <summary>One log line being written: a JSON object opened on creation, closed and written out as one line on dispose.</summary>
public sealed class JsonLogLine : IDisposable
{
    private readonly TextWriter textWriter;
    private readonly ArrayBufferWriter<byte> buffer = new(512);

    public JsonLogLine(TextWriter textWriter)
    {
        this.textWriter = textWriter;
        Json = new Utf8JsonWriter(buffer);
        Json.WriteStartObject();
    }

    public Utf8JsonWriter Json { get; }

    public void Dispose()
    {
        Json.WriteEndObject();
        Json.Dispose();
        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write(Environment.NewLine);
    }
}
