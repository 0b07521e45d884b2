using System.Text.Json;
using OpenTelemetry.Metrics;
using Users.Core.UseCases;
using Users.Lambda.Hosting.Events;

namespace Users.Functions.Sweep;

/// <summary>
/// The sweep function's invocations: a scheduled event (EventBridge), or a direct invoke; <c>{"dryRun": true}</c> in the
/// event makes that run a dry run whatever the settings say (never the other way round). The response is the run's
/// report as JSON; a run that ended early or refused is the invocation's error (the function's Errors metric and alarm),
/// with the reason. Metrics are written (EMF) before the invocation ends.
/// </summary>
internal sealed class SweepInvocationHandler(AvatarSweep sweep, IServiceProvider services) : ILambdaInvocationHandler
{
    public async Task<byte[]> HandleAsync(LambdaEvent invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var report = await sweep.RunAsync(DryRunAsked(invocation.Payload), cancellationToken);
        services.GetService<MeterProvider>()?.ForceFlush(timeoutMilliseconds: 1_000);
        if (report.Error is not null)
        {
            throw new AvatarSweepFailedException($"Avatar sweep {report.Result}: {report.Error}");
        }

        return SweepReportJson.Write(report);
    }

    /// <summary>True when the event is an object with <c>"dryRun": true</c>; any other JSON is a plain run.</summary>
    internal static bool DryRunAsked(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("dryRun", out var dryRun)
                && dryRun.ValueKind == JsonValueKind.True;
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The sweep function takes a JSON event: a scheduled event, or {\"dryRun\": true}.", nameof(payload), ex);
        }
    }
}

/// <summary>A sweep run that ended early (a storage failure, the deadline) or refused to remove anything.</summary>
public sealed class AvatarSweepFailedException : Exception
{
    public AvatarSweepFailedException()
    {
    }

    public AvatarSweepFailedException(string message)
        : base(message)
    {
    }

    public AvatarSweepFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
