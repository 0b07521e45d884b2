using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Users.Api.Tests.Infrastructure;
using Users.Functions.Hosting;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// A port another process holds, the API's or the management port of /metrics: the app prints one line naming the
/// address and the setting and exits with code 3, no exception and no stack trace on stderr.
/// </summary>
public sealed class PortInUseTests
{
    private static readonly Dictionary<string, string> Storage = new()
    {
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9",
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
    };

    private static async Task<(int ExitCode, IReadOnlyList<string> Errors)> RunWithTakenPortAsync(Func<int, Dictionary<string, string>> settings)
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = ((IPEndPoint)holder.LocalEndPoint!).Port;

        await using var app = AppProcess.Start(new Dictionary<string, string>(Storage).Concat(settings(taken)).ToDictionary());
        var code = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, app.StandardError);
    }

    [Theory]
    [InlineData(9464, "http://127.0.0.1:9464", "METRICS_PORT=9464")]
    [InlineData(9464, "http://127.0.0.1:8080", "ASPNETCORE_URLS")]
    [InlineData(0, "http://127.0.0.1:9464", "ASPNETCORE_URLS")]
    public void The_line_names_the_setting_that_chose_the_taken_address(int metricsPort, string address, string setting)
    {
        var taken = new IOException($"Failed to bind to address {address}: address already in use.", new AddressInUseException("in use"));

        Assert.True(taken.IsPortInUse());
        Assert.False(new IOException("disk full").IsPortInUse());
        var line = PortInUse.Describe(taken, metricsPort);
        Assert.StartsWith($"Cannot start: Failed to bind to address {address}: address already in use; ", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_metrics_port_is_one_line_naming_metrics_port_and_exit_code_3()
    {
        var taken = 0;
        var (code, errors) = await RunWithTakenPortAsync(port =>
        {
            taken = port;
            return new() { ["METRICS_PORT"] = port.ToString(CultureInfo.InvariantCulture) };
        });

        Assert.Equal(3, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("Cannot start: Failed to bind to address ", line, StringComparison.Ordinal);
        Assert.Contains($"METRICS_PORT={taken}", line, StringComparison.Ordinal);
        Assert.Contains("METRICS_PORT=0", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_api_port_is_one_line_naming_the_api_port_and_exit_code_3()
    {
        var taken = 0;
        var (code, errors) = await RunWithTakenPortAsync(port =>
        {
            taken = port;
            return new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };
        });

        Assert.Equal(3, code);
        var line = Assert.Single(errors);
        Assert.StartsWith($"Cannot start: Failed to bind to address http://127.0.0.1:{taken}: address already in use; the API's port", line, StringComparison.Ordinal);
        Assert.DoesNotContain("METRICS_PORT", line, StringComparison.Ordinal);
    }
}
