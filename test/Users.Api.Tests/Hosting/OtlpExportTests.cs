using System.Net;
using System.Text;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans (request, use case, AWS call) and metrics reach an OTLP/HTTP receiver,
/// and the request's trace is the caller's (W3C traceparent), as an <see cref="OtlpReceiver"/> receives them.
/// </summary>
public sealed class OtlpExportTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    [Fact]
    public async Task Spans_and_metrics_are_exported_over_otlp_when_an_endpoint_is_set()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        await using var app = AppProcess.Start(fixture.Settings(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        }));
        await app.WaitUntilLiveAsync();
        await ManagementPortFixture.WarmUpAsync(app.Address);

        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var handler = new SocketsHttpHandler { ActivityHeadersPropagator = null };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.Address, "/user"))
        {
            Content = Images.Form("Traced", Images.UniqueEmail("otlp"), Images.Png),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using (var response = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var traceBytes = Convert.FromHexString(traceId);
        string[] spans = ["CreateUser", "S3.PutObject", "DynamoDB.PutItem", "POST /user"];
        await Wait.Until(
            () =>
            {
                var traces = receiver.Bodies("traces").ToList();
                var metrics = receiver.Bodies("metrics").Select(Encoding.UTF8.GetString).ToList();
                return Task.FromResult(
                    spans.All(name => traces.Any(t => Encoding.UTF8.GetString(t).Contains(name, StringComparison.Ordinal) && t.AsSpan().IndexOf(traceBytes) >= 0)) &&
                    metrics.Any(m => m.Contains("users.registrations", StringComparison.Ordinal)));
            },
            TimeSpan.FromSeconds(20),
            "the request's spans (one trace, the caller's) and the service's metrics at the OTLP receiver");
    }
}
