using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Users.Api.Tests.Infrastructure;
using Users.Functions;
using Users.Functions.Hosting;
using Users.Functions.Settings;
using Users.Functions.Telemetry;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// Where Kestrel listens: ASPNETCORE_URLS, else ASPNETCORE_HTTP(S)_PORTS, else 8080, as ASP.NET Core reads them; the
/// management port (METRICS_PORT) is one more listener in the same form, on the hosts the URLs name (loopback under
/// `make run`), on every interface when only ports are given.
/// </summary>
public class ListenerTests
{
    private static WebApplicationBuilder Builder(params (string Key, string Value)[] values)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Only these settings: none of the test run's own environment (ASPNETCORE_URLS, ...).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        return builder;
    }

    [Theory]
    [InlineData(null, null, null, "0", null, "8080", null)]
    [InlineData(null, null, null, "9464", null, "8080;9464", null)]
    [InlineData(null, "8081;8082", null, "9464", null, "8081;8082;9464", null)]
    [InlineData(null, null, "8443", "9464", null, "9464", "8443")]
    [InlineData("http://127.0.0.1:5000", null, null, "9464", "http://127.0.0.1:5000;http://127.0.0.1:9464", null, null)]
    [InlineData("http://127.0.0.1:5000", "8081", null, "9464", "http://127.0.0.1:5000;http://127.0.0.1:9464", "8081", null)]
    [InlineData("http://+:5000", null, null, "9464", "http://+:5000;http://+:9464", null, null)]
    [InlineData("http://localhost:5000;https://localhost:5001;http://[::1]:5002", null, null, "9464", "http://localhost:5000;https://localhost:5001;http://[::1]:5002;http://localhost:9464;http://[::1]:9464", null, null)]
    [InlineData("http://127.0.0.1:5000", null, null, "0", "http://127.0.0.1:5000", null, null)]
    public void The_management_port_joins_the_public_listeners_in_their_own_form(
        string? urls, string? httpPorts, string? httpsPorts, string metricsPort, string? expectedUrls, string? expectedHttpPorts, string? expectedHttpsPorts)
    {
        var given = new List<(string, string)> { ("METRICS_PORT", metricsPort) };
        foreach (var (key, value) in new[] { (WebHostDefaults.ServerUrlsKey, urls), (WebHostDefaults.HttpPortsKey, httpPorts), (WebHostDefaults.HttpsPortsKey, httpsPorts) })
        {
            if (value is not null)
            {
                given.Add((key, value));
            }
        }

        var builder = Builder([.. given]);
        var settings = builder.AddUsersSettings();
        builder.AddUsersHosting();
        builder.AddUsersTelemetry(settings.Telemetry);

        Assert.Equal(expectedUrls, builder.Configuration[WebHostDefaults.ServerUrlsKey]);
        Assert.Equal(expectedHttpPorts, builder.Configuration[WebHostDefaults.HttpPortsKey]);
        Assert.Equal(expectedHttpsPorts, builder.Configuration[WebHostDefaults.HttpsPortsKey]);
    }

    [Fact]
    public async Task Given_http_ports_the_host_binds_them_and_the_management_port()
    {
        var (port, management) = (MotoServer.FreePort(), MotoServer.FreePort());
        var builder = Builder(
            (WebHostDefaults.HttpPortsKey, port.ToString(CultureInfo.InvariantCulture)),
            ("METRICS_PORT", management.ToString(CultureInfo.InvariantCulture)));
        builder.AddUsersApi();
        await using var app = builder.Build();
        app.UseUsersApi();
        await app.StartAsync();
        try
        {
            // Both, as the host expanded the ports ("http://*:<port>": [::] or 0.0.0.0), and nothing else.
            Assert.Equal(new[] { port, management }.Order(), app.Urls.Select(u => new Uri(u).Port).Order());
            using var http = new HttpClient();
            using var live = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            using var scrape = await http.GetAsync(new Uri($"http://127.0.0.1:{management}{TelemetryExtensions.MetricsPath}"));
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Given_a_loopback_url_the_management_port_listens_on_loopback_only()
    {
        var (port, management) = (MotoServer.FreePort(), MotoServer.FreePort());
        var builder = Builder(
            (WebHostDefaults.ServerUrlsKey, $"http://127.0.0.1:{port}"),
            ("METRICS_PORT", management.ToString(CultureInfo.InvariantCulture)));
        builder.AddUsersApi();
        await using var app = builder.Build();
        app.UseUsersApi();
        await app.StartAsync();
        try
        {
            Assert.Equal(new[] { $"http://127.0.0.1:{port}", $"http://127.0.0.1:{management}" }.Order(), app.Urls.Order());
            using var http = new HttpClient();
            using var scrape = await http.GetAsync(new Uri($"http://127.0.0.1:{management}{TelemetryExtensions.MetricsPath}"));
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);

            // Not a wildcard bind: another loopback address can still take the same port (it could not under 0.0.0.0).
            using var other = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            other.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), management));
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
