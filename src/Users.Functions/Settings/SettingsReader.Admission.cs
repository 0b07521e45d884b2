using System.Net;

namespace Users.Functions.Settings;

/// <summary>The admission-control and server-limit settings (see <see cref="AdmissionOptions"/>).</summary>
public static partial class SettingsReader
{
    public const string MaxConcurrentRequests = "ADMISSION_MAX_CONCURRENT_REQUESTS";
    public const string QueueLimit = "ADMISSION_QUEUE_LIMIT";
    public const string LimitMode = "ADMISSION_LIMIT_MODE";
    public const string MinConcurrentRequests = "ADMISSION_MIN_CONCURRENT_REQUESTS";
    public const string InitialConcurrentRequests = "ADMISSION_INITIAL_CONCURRENT_REQUESTS";
    public const string QueueTimeout = "ADMISSION_QUEUE_TIMEOUT_MS";
    public const string MaxConcurrentUploads = "ADMISSION_MAX_CONCURRENT_UPLOADS";
    public const string FormReadTimeout = "FORM_READ_TIMEOUT_SECONDS";
    public const string RegisterPerMinute = "REGISTER_RATE_LIMIT_PER_MINUTE";
    public const string RegisterBurst = "REGISTER_RATE_LIMIT_BURST";
    public const string TrustedProxies = "TRUSTED_PROXIES";
    public const string RequestHeadersTimeout = "REQUEST_HEADERS_TIMEOUT_SECONDS";
    public const string KeepAliveTimeout = "KEEPALIVE_TIMEOUT_SECONDS";
    public const string MaxConcurrentConnections = "MAX_CONCURRENT_CONNECTIONS";
    public const string MinRequestBodyRate = "MIN_REQUEST_BODY_BYTES_PER_SECOND";
    public const string MaxRequestHeadersBytes = "MAX_REQUEST_HEADERS_BYTES";

    private static AdmissionOptions ReadAdmission(IConfiguration configuration, List<string> errors)
    {
        var options = new AdmissionOptions();
        options.MaxConcurrentRequests = (int)(Integer(configuration, MaxConcurrentRequests, 0, 10_000, "requests", errors) ?? options.MaxConcurrentRequests);
        options.QueueLimit = (int)(Integer(configuration, QueueLimit, 0, 10_000, "requests", errors) ?? options.QueueLimit);
        // Unset, the minimum and the initial limit are their defaults or the maximum, whichever is lower.
        var ceiling = options.MaxConcurrentRequests > 0 ? options.MaxConcurrentRequests : int.MaxValue;
        options.MinConcurrentRequests = (int)(Integer(configuration, MinConcurrentRequests, 1, 10_000, "requests", errors) ?? Math.Min(options.MinConcurrentRequests, ceiling));
        options.InitialConcurrentRequests = (int)(Integer(configuration, InitialConcurrentRequests, 1, 10_000, "requests", errors) ?? Math.Min(options.InitialConcurrentRequests, ceiling));
        options.MaxConcurrentUploads = (int)(Integer(configuration, MaxConcurrentUploads, 0, 10_000, "uploads", errors) ?? options.MaxConcurrentUploads);
        options.QueueTimeout = Duration(configuration, QueueTimeout, 0, 10_000, TimeSpan.FromMilliseconds(1), errors) ?? options.QueueTimeout;
        options.FormReadTimeout = Duration(configuration, FormReadTimeout, 1, 300, TimeSpan.FromSeconds(1), errors) ?? options.FormReadTimeout;

        var mode = Value(configuration, LimitMode);
        if (mode is not null)
        {
            if (mode.Equals("adaptive", StringComparison.OrdinalIgnoreCase))
            {
                options.LimitMode = AdmissionLimitMode.Adaptive;
            }
            else if (mode.Equals("fixed", StringComparison.OrdinalIgnoreCase))
            {
                options.LimitMode = AdmissionLimitMode.Fixed;
            }
            else
            {
                errors.Add(Invalid(LimitMode, mode, "adaptive or fixed"));
            }
        }

        // The adaptive limit's bounds must nest (only checked when both are in use: max 0 turns the limiter off).
        if (options.LimitMode == AdmissionLimitMode.Adaptive && options.MaxConcurrentRequests > 0 &&
            !(options.MinConcurrentRequests <= options.InitialConcurrentRequests && options.InitialConcurrentRequests <= options.MaxConcurrentRequests))
        {
            errors.Add($"{MinConcurrentRequests} ({options.MinConcurrentRequests}) <= {InitialConcurrentRequests} ({options.InitialConcurrentRequests}) <= {MaxConcurrentRequests} ({options.MaxConcurrentRequests}) does not hold: the adaptive limit starts at the initial value and stays between the minimum and the maximum.");
        }

        options.RegisterPerMinute = (int)(Integer(configuration, RegisterPerMinute, 0, 60_000, "registrations", errors) ?? options.RegisterPerMinute);
        options.RegisterBurst = (int)(Integer(configuration, RegisterBurst, 1, 100_000, "registrations", errors) ?? options.RegisterBurst);
        options.MaxConcurrentConnections = Integer(configuration, MaxConcurrentConnections, 0, 1_000_000, "connections", errors) ?? options.MaxConcurrentConnections;
        options.MinRequestBodyBytesPerSecond = (int)(Integer(configuration, MinRequestBodyRate, 0, 1_048_576, "bytes per second", errors) ?? options.MinRequestBodyBytesPerSecond);
        options.MaxRequestHeadersBytes = (int)(Integer(configuration, MaxRequestHeadersBytes, 4096, 1_048_576, "bytes", errors) ?? options.MaxRequestHeadersBytes);

        options.RequestHeadersTimeout = Duration(configuration, RequestHeadersTimeout, 1, 300, TimeSpan.FromSeconds(1), errors) ?? options.RequestHeadersTimeout;
        options.KeepAliveTimeout = Duration(configuration, KeepAliveTimeout, 1, 3600, TimeSpan.FromSeconds(1), errors) ?? options.KeepAliveTimeout;

        var proxies = Value(configuration, TrustedProxies);
        if (proxies is not null)
        {
            var networks = new List<IPNetwork>();
            foreach (var entry in proxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (IPNetwork.TryParse(entry, out var network))
                {
                    networks.Add(network);
                }
                else if (IPAddress.TryParse(entry, out var address))
                {
                    networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
                }
                else
                {
                    errors.Add(Invalid(TrustedProxies, proxies, $"comma-separated IP addresses or CIDR networks ('{entry}' is neither)"));
                    networks.Clear();
                    break;
                }
            }

            options.TrustedProxies = networks;
        }

        return options;
    }

    /// <summary>A whole number of <paramref name="unit"/>s (seconds, milliseconds) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    private static TimeSpan? Duration(IConfiguration configuration, string key, long min, long max, TimeSpan unit, List<string> errors) =>
        Integer(configuration, key, min, max, unit == TimeSpan.FromMilliseconds(1) ? "milliseconds" : "seconds", errors) is { } value ? unit * value : null;
}
