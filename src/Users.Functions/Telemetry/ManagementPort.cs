using System.Globalization;

namespace Users.Functions.Telemetry;

/// <summary>
/// Kestrel also listens on the management port of <c>/metrics</c> (<c>METRICS_PORT</c>). It is added in the form the
/// public listeners were given, so that the host still expands and binds them all as it does without it: one more URL
/// when <c>ASPNETCORE_URLS</c> is set, else one more HTTP port (<c>ASPNETCORE_HTTP_PORTS</c>, or the default 8080).
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
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, $"{urls};http://+:{management}");
        }
        else
        {
            var ports = configuration[WebHostDefaults.HttpPortsKey];
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.IsNullOrWhiteSpace(ports) ? management : $"{ports};{management}");
        }
    }
}
