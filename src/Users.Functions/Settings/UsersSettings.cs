using Users.Core.Adapters.Aws;
using Users.Core.UseCases;
using Users.Functions.Telemetry;

namespace Users.Functions.Settings;

/// <summary>Every setting of the service as <see cref="SettingsReader.Read"/> found it: one options class per concern, and every invalid setting.</summary>
public sealed class UsersSettings
{
    /// <summary>Where users and avatars are stored (Users.Core's AWS adapters).</summary>
    public required AwsStorageOptions Storage { get; init; }

    /// <summary>The HTTP side: avatar size, drain time, request deadline, list bound, readiness.</summary>
    public required ApiOptions Api { get; init; }

    /// <summary>Concurrency, per-client rate, trusted proxies and Kestrel's limits.</summary>
    public required AdmissionOptions Admission { get; init; }

    /// <summary>Exporters and the management port.</summary>
    public required TelemetryOptions Telemetry { get; init; }

    /// <summary>The avatar sweep's grace period, removal limit and dry run (Users.Core's <c>AvatarSweep</c>).</summary>
    public required AvatarSweepOptions Sweep { get; init; }

    /// <summary>Every invalid setting, each <c>NAME='value' is not valid: expected …</c>; empty when all are valid.</summary>
    public required IReadOnlyList<string> Errors { get; init; }
}
