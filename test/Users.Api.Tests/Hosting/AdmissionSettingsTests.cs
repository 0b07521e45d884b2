using System.Net;
using Microsoft.Extensions.Configuration;
using Users.Functions.Http;
using Users.Functions.Settings;

namespace Users.Api.Tests.Hosting;

public class AdmissionSettingsTests
{
    private static UsersSettings Read(params (string Key, string Value)[] values) =>
        SettingsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Defaults_limit_admission_and_trust_no_proxy()
    {
        var settings = Read();
        var options = settings.Admission;
        Assert.Empty(settings.Errors);

        Assert.Equal((32, 32), (options.MaxConcurrentRequests, options.QueueLimit));
        Assert.Equal(AdmissionLimitMode.Fixed, options.LimitMode);
        Assert.Equal((2, 8), (options.MinConcurrentRequests, options.InitialConcurrentRequests));
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.QueueTimeout);
        Assert.Equal(16, options.MaxConcurrentUploads);
        Assert.Equal(TimeSpan.FromSeconds(3), options.FormReadTimeout);
        Assert.Equal((20, 20), (options.RegisterPerMinute, options.RegisterBurst));
        Assert.Empty(options.TrustedProxies);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(75), options.KeepAliveTimeout);
        Assert.Equal(1000, options.MaxConcurrentConnections);
        Assert.Equal(1024, options.MinRequestBodyBytesPerSecond);
        Assert.Equal(16 * 1024, options.MaxRequestHeadersBytes);
    }

    [Fact]
    public void Reads_every_setting()
    {
        var settings = Read(
            ("ADMISSION_MAX_CONCURRENT_REQUESTS", "0"),
            ("ADMISSION_QUEUE_LIMIT", "5"),
            ("REGISTER_RATE_LIMIT_PER_MINUTE", "6"),
            ("REGISTER_RATE_LIMIT_BURST", "3"),
            ("TRUSTED_PROXIES", " 10.0.0.0/8 , 192.168.1.10,fd00::/8 "),
            ("REQUEST_HEADERS_TIMEOUT_SECONDS", "3"),
            ("KEEPALIVE_TIMEOUT_SECONDS", "30"),
            ("MAX_CONCURRENT_CONNECTIONS", "0"),
            ("MIN_REQUEST_BODY_BYTES_PER_SECOND", "0"),
            ("MAX_REQUEST_HEADERS_BYTES", "8192"));
        var options = settings.Admission;

        Assert.Empty(settings.Errors);
        Assert.Equal((0, 5, 6, 3), (options.MaxConcurrentRequests, options.QueueLimit, options.RegisterPerMinute, options.RegisterBurst));
        Assert.Equal(
            [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.10/32"), IPNetwork.Parse("fd00::/8")],
            options.TrustedProxies);
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30)), (options.RequestHeadersTimeout, options.KeepAliveTimeout));
        Assert.Equal((0L, 0, 8192), (options.MaxConcurrentConnections, options.MinRequestBodyBytesPerSecond, options.MaxRequestHeadersBytes));
    }

    [Fact]
    public void Reads_the_adaptive_limit_and_upload_settings()
    {
        var settings = Read(
            ("ADMISSION_LIMIT_MODE", "Adaptive"),
            ("ADMISSION_MAX_CONCURRENT_REQUESTS", "40"),
            ("ADMISSION_MIN_CONCURRENT_REQUESTS", "4"),
            ("ADMISSION_INITIAL_CONCURRENT_REQUESTS", "10"),
            ("ADMISSION_QUEUE_TIMEOUT_MS", "0"),
            ("ADMISSION_MAX_CONCURRENT_UPLOADS", "3"),
            ("FORM_READ_TIMEOUT_SECONDS", "2"));
        var options = settings.Admission;

        Assert.Empty(settings.Errors);
        Assert.Equal(AdmissionLimitMode.Adaptive, options.LimitMode);
        Assert.Equal((4, 10, 40), (options.MinConcurrentRequests, options.InitialConcurrentRequests, options.MaxConcurrentRequests));
        Assert.Equal(TimeSpan.Zero, options.QueueTimeout);
        Assert.Equal((3, TimeSpan.FromSeconds(2)), (options.MaxConcurrentUploads, options.FormReadTimeout));
    }

    [Fact]
    public void A_maximum_below_the_defaults_lowers_the_unset_minimum_and_initial_limit()
    {
        var settings = Read(("ADMISSION_MAX_CONCURRENT_REQUESTS", "1"));
        Assert.Empty(settings.Errors);
        Assert.Equal((1, 1, 1), (settings.Admission.MinConcurrentRequests, settings.Admission.InitialConcurrentRequests, settings.Admission.MaxConcurrentRequests));
    }

    [Fact]
    public void Adaptive_bounds_that_do_not_nest_and_unknown_modes_are_refused_by_name()
    {
        var errors = Read(
            ("ADMISSION_LIMIT_MODE", "gradient"),
            ("ADMISSION_QUEUE_TIMEOUT_MS", "-5"),
            ("FORM_READ_TIMEOUT_SECONDS", "0"),
            ("ADMISSION_MAX_CONCURRENT_UPLOADS", "x")).Errors;
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("ADMISSION_LIMIT_MODE='gradient'", StringComparison.Ordinal) && e.Contains("adaptive or fixed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ADMISSION_QUEUE_TIMEOUT_MS='-5'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("FORM_READ_TIMEOUT_SECONDS='0'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ADMISSION_MAX_CONCURRENT_UPLOADS='x'", StringComparison.Ordinal));

        var nesting = Read(("ADMISSION_LIMIT_MODE", "adaptive"), ("ADMISSION_MIN_CONCURRENT_REQUESTS", "10"), ("ADMISSION_INITIAL_CONCURRENT_REQUESTS", "5")).Errors;
        Assert.Contains(nesting, e => e.StartsWith("ADMISSION_MIN_CONCURRENT_REQUESTS (10) <= ADMISSION_INITIAL_CONCURRENT_REQUESTS (5)", StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_every_invalid_setting_by_name()
    {
        var errors = Read(
            ("ADMISSION_MAX_CONCURRENT_REQUESTS", "-1"),
            ("REGISTER_RATE_LIMIT_BURST", "0"),
            ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"),
            ("MAX_REQUEST_HEADERS_BYTES", "100")).Errors;

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("ADMISSION_MAX_CONCURRENT_REQUESTS='-1'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("REGISTER_RATE_LIMIT_BURST='0'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TRUSTED_PROXIES=", StringComparison.Ordinal) && e.Contains("proxy.internal", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("MAX_REQUEST_HEADERS_BYTES='100'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "unknown")]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    public void Clients_are_keyed_by_address_and_ipv6_by_their_64(string? address, string key) =>
        Assert.Equal(key, AdmissionControl.ClientKey(address is null ? null : IPAddress.Parse(address)));
}
