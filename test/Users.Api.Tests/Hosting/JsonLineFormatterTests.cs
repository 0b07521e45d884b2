using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Users.Functions.Logging;

namespace Users.Api.Tests.Hosting;

/// <summary>The Kestrel host's log line, written by the formatter itself (the process tests check it end to end).</summary>
public partial class JsonLineFormatterTests
{
    private const string Category = "Users.Functions.Http.AccessLogMiddleware";

    [Theory]
    [InlineData(LogLevel.Trace, "trace")]
    [InlineData(LogLevel.Debug, "debug")]
    [InlineData(LogLevel.Information, "info")]
    [InlineData(LogLevel.Warning, "warn")]
    [InlineData(LogLevel.Error, "error")]
    [InlineData(LogLevel.Critical, "fatal")]
    [InlineData(LogLevel.None, "none")]
    public void Each_level_has_its_log_pipeline_name(LogLevel level, string expected)
    {
        var line = WriteOne(level, [], "hello");

        Assert.Equal(expected, line.GetProperty("level").GetString());
        Assert.Equal("hello", line.GetProperty("message").GetString());
        Assert.Equal(Category, line.GetProperty("category").GetString());
        Assert.Matches(UtcMillisecondTimestamp(), line.GetProperty("timestamp").GetString());
    }

    [Fact]
    public void Message_fields_are_snake_case_with_numbers_and_booleans_as_json_values_and_no_template()
    {
        var line = WriteOne(LogLevel.Information, [
            new("{OriginalFormat}", "{Method} {Path} {StatusCode} in {DurationMs} ms"),
            new("Method", "POST"),
            new("StatusCode", 201),
            new("DurationMs", 12.5),
            new("BodyBytes", 4_194_304L),
            new("Retried", false),
            new("Missing", null),
            new("ContentLength", (ushort)512),
            new("Ratio", 0.25f),
            new("Price", 19.99m),
        ]);

        Assert.False(line.TryGetProperty("{OriginalFormat}", out _));
        Assert.False(line.TryGetProperty("original_format", out _));
        Assert.Equal("POST", line.GetProperty("method").GetString());
        Assert.Equal(201, line.GetProperty("status_code").GetInt32());
        Assert.Equal(12.5, line.GetProperty("duration_ms").GetDouble());
        Assert.Equal(4_194_304L, line.GetProperty("body_bytes").GetInt64());
        Assert.Equal(JsonValueKind.False, line.GetProperty("retried").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("missing").ValueKind);
        Assert.Equal(512, line.GetProperty("content_length").GetInt32());
        Assert.Equal(0.25, line.GetProperty("ratio").GetDouble());
        Assert.Equal(19.99, line.GetProperty("price").GetDouble(), 10);
    }

    [Fact]
    public void Numbers_outside_what_a_long_or_a_json_number_holds_still_make_a_line()
    {
        // A log call must never throw from the formatter, whatever the value of a field.
        var line = WriteOne(LogLevel.Information, [
            new("Huge", ulong.MaxValue),
            new("NotANumber", double.NaN),
            new("Overflowed", float.PositiveInfinity),
        ]);

        Assert.Equal(ulong.MaxValue, line.GetProperty("huge").GetUInt64());
        Assert.Equal("NaN", line.GetProperty("not_a_number").GetString());
        Assert.Equal("Infinity", line.GetProperty("overflowed").GetString());
    }

    [Fact]
    public void Other_values_are_written_as_invariant_text()
    {
        var line = WriteOne(LogLevel.Information, [
            new("Started", new DateTimeOffset(2026, 12, 1, 18, 30, 0, TimeSpan.Zero)),
            new("Endpoint", new Uri("http://127.0.0.1:4566/")),
            new("Id", Guid.Empty),
        ]);

        Assert.Equal("12/01/2026 18:30:00 +00:00", line.GetProperty("started").GetString());
        Assert.Equal("http://127.0.0.1:4566/", line.GetProperty("endpoint").GetString());
        Assert.Equal(Guid.Empty.ToString(), line.GetProperty("id").GetString());
    }

    [Fact]
    public void The_request_scope_adds_its_ids_and_no_field_overwrites_one_already_written()
    {
        var scopes = new LoggerExternalScopeProvider();
        using (scopes.Push(new Dictionary<string, object?> { ["RequestId"] = "0HN1:00000001", ["TraceId"] = "4bf92f3577b34da6a3ce929d0e0e4736" }))
        using (scopes.Push("a scope that is only text"))
        {
            var line = WriteOne(LogLevel.Warning, [new("Level", "spoofed"), new("Message", "spoofed"), new("TraceId", "other"), new("Dependency", "S3")], "Dependency S3 unavailable", scopes: scopes);

            Assert.Equal("0HN1:00000001", line.GetProperty("request_id").GetString());
            Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", line.GetProperty("trace_id").GetString());
            Assert.Equal("warn", line.GetProperty("level").GetString());
            Assert.Equal("Dependency S3 unavailable", line.GetProperty("message").GetString());
            Assert.Equal("S3", line.GetProperty("dependency").GetString());
            Assert.Equal(1, line.EnumerateObject().Count(p => p.Name == "trace_id"));
        }
    }

    [Fact]
    public void An_exception_is_kept_on_the_one_line_with_its_type_message_and_stack()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("first line\nsecond line");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        var text = Write(LogLevel.Error, [], "Unhandled exception", thrown);

        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        var exception = JsonDocument.Parse(text).RootElement.GetProperty("exception").GetString();
        Assert.StartsWith("System.InvalidOperationException: first line\nsecond line", exception, StringComparison.Ordinal);
        Assert.Contains(nameof(An_exception_is_kept_on_the_one_line_with_its_type_message_and_stack), exception, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exception_without_a_message_still_makes_a_line_and_nothing_at_all_makes_none()
    {
        var onlyException = JsonDocument.Parse(Write(LogLevel.Error, [], message: null, exception: new TimeoutException("slow"))).RootElement;
        Assert.Equal(string.Empty, onlyException.GetProperty("message").GetString());
        Assert.StartsWith("System.TimeoutException: slow", onlyException.GetProperty("exception").GetString(), StringComparison.Ordinal);

        Assert.Equal(string.Empty, Write(LogLevel.Information, [], message: null));
    }

    [Theory]
    [InlineData("RequestId", "request_id")]
    [InlineData("DurationMs", "duration_ms")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("status", "status")]
    public void Field_names_are_snake_case(string name, string expected) =>
        Assert.Equal(expected, JsonLineFormatter.SnakeCase(name));

    private static JsonElement WriteOne(LogLevel level, KeyValuePair<string, object?>[] fields, string message = "message", IExternalScopeProvider? scopes = null)
    {
        var text = Write(level, fields, message, scopes: scopes);
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Write(LogLevel level, KeyValuePair<string, object?>[] fields, string? message, Exception? exception = null, IExternalScopeProvider? scopes = null)
    {
        using var writer = new StringWriter();
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(level, Category, new EventId(1), fields, exception, (_, _) => message!);
        new JsonLineFormatter().Write(entry, scopes, writer);
        return writer.ToString();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex UtcMillisecondTimestamp();
}
