using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Users.Functions.Settings;

namespace Users.Functions.Hosting;

/// <summary>
/// How the host runs the app: the port Kestrel listens on when nothing says otherwise, how long requests may drain on
/// SIGTERM, and what Kestrel announces and accepts. ASP.NET Core itself reads <c>ASPNETCORE_URLS</c> and
/// <c>ASPNETCORE_HTTP_PORTS</c> (URLs win over ports, as everywhere in ASP.NET Core).
/// </summary>
public static class HostingExtensions
{
    /// <summary>Where Kestrel listens when none of <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, <c>ASPNETCORE_HTTPS_PORTS</c> is set.</summary>
    public const string DefaultHttpPorts = "8080";

    public static WebApplicationBuilder AddUsersHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Port 8080 everywhere, as in the .NET container images (ASP.NET Core's own default is localhost:5000).
        var configuration = builder.Configuration;
        if (new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }.All(key => string.IsNullOrWhiteSpace(configuration[key])))
        {
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, DefaultHttpPorts);
        }

        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ApiOptions>>((host, api) => host.ShutdownTimeout = api.Value.ShutdownTimeout);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes;
        });
        return builder;
    }
}
