using System.Globalization;

namespace Users.Functions.Telemetry;

/// <summary>
/// Kestrel also listens on the management port of <c>/metrics</c> (<c>METRICS_PORT</c>). It is added in the form the
/// public listeners were given, so that the host still expands and binds them all as it does without it: when
/// <c>ASPNETCORE_URLS</c> is set, one more URL per host those URLs name (so <c>http://127.0.0.1:8080</c>, as under
/// <c>make run</c>, keeps <c>/metrics</c> on loopback too); else one more HTTP port on every interface
/// (<c>ASPNETCORE_HTTP_PORTS</c>, or the default 8080, as in a container where Prometheus scrapes the pod's address).
/// </summary>
internal static class ManagementPort
{
    public static void ListenAlsoOn(WebApplicationBuilder builder, int port)
    {
        var configuration = builder.Configuration;
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        var management = port.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(urls))
        {
            var hosts = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(url => BindingAddress.Parse(url).Host)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(host => $"http://{host}:{management}");
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Join(';', [urls, .. hosts]));
        }
        else
        {
            var ports = configuration[WebHostDefaults.HttpPortsKey];
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.IsNullOrWhiteSpace(ports) ? management : $"{ports};{management}");
        }
    }
}
