using System.Diagnostics.Metrics;
using System.Net;
using Amazon.Runtime;
using Users.Core.Adapters.Aws;
using Users.Core.Telemetry;

namespace Users.Core.Tests;

/// <summary>The outcome every AWS call is counted under, as the dashboards and alerts read it.</summary>
public class DependencyCallTests
{
    public static TheoryData<Exception, string> Failures => new()
    {
        { new AmazonServiceException("Rate exceeded") { ErrorCode = "ThrottlingException", StatusCode = HttpStatusCode.BadRequest }, DependencyCall.Throttled },
        { new AmazonServiceException("Slow down") { StatusCode = HttpStatusCode.TooManyRequests }, DependencyCall.Throttled },
        { new AmazonServiceException("Reduce your request rate") { ErrorCode = "SlowDown", StatusCode = HttpStatusCode.ServiceUnavailable }, DependencyCall.Throttled },
        { new TaskCanceledException("attempt timed out"), DependencyCall.Timeout },
        { new TimeoutException(), DependencyCall.Timeout },
        { new AmazonServiceException("attempt timed out", new TimeoutException()), DependencyCall.Timeout },
        { new AmazonServiceException("Internal error") { StatusCode = HttpStatusCode.InternalServerError }, DependencyCall.Unavailable },
        { new AmazonServiceException("no response", new HttpRequestException("Connection refused")), DependencyCall.Unavailable },
        { new AmazonServiceException("Access denied") { ErrorCode = "AccessDenied", StatusCode = HttpStatusCode.Forbidden }, DependencyCall.Denied },
        { new AmazonServiceException("not authorized") { ErrorCode = "AccessDeniedException", StatusCode = HttpStatusCode.BadRequest }, DependencyCall.Denied },
        { new AmazonServiceException("The security token included in the request is expired") { ErrorCode = "ExpiredTokenException", StatusCode = HttpStatusCode.BadRequest }, DependencyCall.Denied },
        { new AmazonServiceException("The security token included in the request is invalid") { ErrorCode = "UnrecognizedClientException", StatusCode = HttpStatusCode.BadRequest }, DependencyCall.Denied },
        { new AmazonServiceException("Requested resource not found") { ErrorCode = "ResourceNotFoundException", StatusCode = HttpStatusCode.BadRequest }, DependencyCall.Error },
        { new AmazonClientException("Unable to get credentials"), DependencyCall.Unavailable },
        { new HttpRequestException("Connection refused"), DependencyCall.Unavailable },
        { new IOException("Connection reset"), DependencyCall.Unavailable },
        { new InvalidOperationException("a bug"), DependencyCall.Error },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_are_classified_by_what_an_operator_does_about_them(Exception exception, string outcome) =>
        Assert.Equal(outcome, DependencyCall.Classify(exception));

    [Fact]
    public async Task Each_call_is_counted_and_timed_under_its_outcome_and_an_expected_answer_counts_as_ok()
    {
        var dependency = "Test" + Guid.NewGuid().ToString("N");
        var counted = new List<(string Operation, string Outcome)>();
        var timed = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == UsersTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "users.dependency.calls" && Tag(tags, "dependency") == dependency)
            {
                lock (counted)
                {
                    counted.Add((Tag(tags, "operation")!, Tag(tags, "outcome")!));
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
        {
            if (instrument.Name == "users.dependency.duration" && Tag(tags, "dependency") == dependency && seconds >= 0)
            {
                lock (timed)
                {
                    timed.Add(Tag(tags, "outcome")!);
                }
            }
        });
        listener.Start();

        Assert.Equal(42, await DependencyCall.RunAsync(dependency, "GetItem", "users", () => Task.FromResult(42)));
        var conflict = new AmazonServiceException("The conditional request failed") { ErrorCode = "ConditionalCheckFailedException" };
        Assert.Same(conflict, await Assert.ThrowsAsync<AmazonServiceException>(() =>
            DependencyCall.RunAsync<int>(dependency, "PutItem", "users", () => throw conflict, isAnswer: e => e is AmazonServiceException { ErrorCode: "ConditionalCheckFailedException" })));
        await Assert.ThrowsAsync<AmazonServiceException>(() =>
            DependencyCall.RunAsync<int>(dependency, "PutItem", "users", () => throw new AmazonServiceException("Rate exceeded") { ErrorCode = "ThrottlingException" }));
        await Assert.ThrowsAsync<HttpRequestException>(() =>
            DependencyCall.RunAsync<int>(dependency, "Scan", "users", () => throw new HttpRequestException("Connection refused")));

        Assert.Equal([("GetItem", "ok"), ("PutItem", "ok"), ("PutItem", "throttled"), ("Scan", "unavailable")], counted);
        Assert.Equal(["ok", "ok", "throttled", "unavailable"], timed);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var (name, value) in tags)
        {
            if (name == key)
            {
                return value as string;
            }
        }

        return null;
    }
}
