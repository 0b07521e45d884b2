using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans (request, use case, AWS call) and metrics reach an OTLP/HTTP receiver,
/// and the request's trace is the caller's (W3C traceparent). The receiver is a loopback Kestrel that keeps the bodies;
/// the protobuf is checked for the names and the trace id it must carry (strings and ids are stored verbatim).
/// </summary>
public sealed class OtlpExportTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    [Fact]
    public async Task Spans_and_metrics_are_exported_over_otlp_when_an_endpoint_is_set()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var port = MotoServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var receiver = builder.Build();
        receiver.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Enqueue((http.Request.Path.Value!, body.ToArray()));
            return Results.Ok();
        });
        await receiver.StartAsync();

        await using var app = AppProcess.Start(fixture.Settings(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
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
                var traces = received.Where(r => r.Path == "/v1/traces").Select(r => r.Body).ToList();
                var metrics = received.Where(r => r.Path == "/v1/metrics").Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
                return Task.FromResult(
                    spans.All(name => traces.Any(t => Encoding.UTF8.GetString(t).Contains(name, StringComparison.Ordinal) && t.AsSpan().IndexOf(traceBytes) >= 0)) &&
                    metrics.Any(m => m.Contains("users.registrations", StringComparison.Ordinal)));
            },
            TimeSpan.FromSeconds(20),
            "the request's spans (one trace, the caller's) and the service's metrics at the OTLP receiver");
    }
}
