using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Users.Lambda.Hosting.Logging;
using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Tests;

[Collection(LambdaRuntimeGroup.Name)]
public sealed class PowertoolsFormatterTests
{
    private static readonly Func<IReadOnlyList<KeyValuePair<string, object?>>, Exception?, string> Format = (state, _) => state.ToString()!;

    [Fact]
    public void Log_lines_carry_the_powertools_fields_of_the_current_invocation()
    {
        var formatter = new PowertoolsJsonConsoleFormatter(new PowertoolsLogSettings
        {
            ServiceName = "users-api",
            FunctionName = "users-fn",
            FunctionVersion = "$LATEST",
            FunctionMemorySize = 512,
        });
        var invocation = new LambdaInvocation("req-1", DateTimeOffset.UtcNow.AddSeconds(10), "arn:aws:lambda:us-east-1:123456789012:function:users-fn",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", Array.Empty<byte>());
        var state = new List<KeyValuePair<string, object?>> { new("Email", "ada@example.com"), new("{OriginalFormat}", "Created {Email}") };
        using var output = new StringWriter();

        LambdaInvocationContext.Begin(invocation);
        try
        {
            formatter.Write(new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(LogLevel.Warning, "Users", new EventId(7), state, null, Format), null, output);
        }
        finally
        {
            LambdaInvocationContext.End();
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("Warning", line.GetProperty("level").GetString());
        Assert.Equal("users-api", line.GetProperty("service").GetString());
        Assert.Equal("users-fn", line.GetProperty("function_name").GetString());
        Assert.Equal("$LATEST", line.GetProperty("function_version").GetString());
        Assert.Equal(512, line.GetProperty("function_memory_size").GetInt32());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:users-fn", line.GetProperty("function_arn").GetString());
        Assert.Equal("req-1", line.GetProperty("function_request_id").GetString());
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", line.GetProperty("xray_trace_id").GetString());
        Assert.Equal("ada@example.com", line.GetProperty("Email").GetString());
        Assert.Contains(line.GetProperty("cold_start").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
        Assert.Equal(typeof(string), line.GetProperty("message").GetString()!.GetType());
    }

    [Theory]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("FATAL", LogLevel.Critical)]
    [InlineData("nonsense", null)]
    public void Log_levels_are_read_as_powertools_names_them(string value, LogLevel? expected)
    {
        Assert.Equal(expected, PowertoolsJsonConsoleFormatter.ParseLevel(value));
    }

    [Fact]
    public void Outside_an_invocation_the_request_fields_are_absent()
    {
        var formatter = new PowertoolsJsonConsoleFormatter(new PowertoolsLogSettings());
        using var output = new StringWriter();
        var state = new List<KeyValuePair<string, object?>> { new("{OriginalFormat}", "starting") };

        formatter.Write(new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(LogLevel.Information, "Host", default, state, null, Format), null, output);

        var line = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal("service_undefined", line.GetProperty("service").GetString());
        Assert.False(line.TryGetProperty("function_request_id", out _));
        Assert.Equal("Information", line.GetProperty("level").GetString());
    }
}
