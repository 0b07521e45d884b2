using Users.Core.Adapters.Aws;
using Users.Core.UseCases;
using Users.Functions.Logging;
using Users.Functions.Settings;
using Users.Functions.Telemetry;
using Users.Lambda.Hosting;

namespace Users.Functions.Sweep;

/// <summary>
/// The avatar sweep (Users.Core's <see cref="AvatarSweep"/>) from the same executable as the API, on a host of its own
/// (no web server): <c>Users.Functions sweep</c> runs one sweep and exits (the chart's CronJob, <c>make sweep</c>); on
/// Lambda, a function whose handler is <c>sweep</c> (<c>_HANDLER</c>, SAM's <c>Handler</c>) runs one per invocation
/// (a scheduled event). Same settings, storage, logging and metrics as the API.
/// </summary>
public static class SweepCommand
{
    /// <summary>The command-line argument, and the Lambda handler name, that select the sweep.</summary>
    public const string Name = "sweep";

    /// <summary>Exit codes of a run: completed (orphans found or not), ended early or refused, invalid settings.</summary>
    public const int Completed = 0;

    public const int Failed = 1;

    public const int InvalidSettings = 2;

    /// <summary>True when asked for the sweep: the first argument is <c>sweep</c>, or the Lambda handler is.</summary>
    public static bool IsRequested(string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        return args is [Name, ..] || string.Equals(environment("_HANDLER"), Name, StringComparison.Ordinal);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = Host.CreateApplicationBuilder(HostArguments.WithDefaults(args is [Name, .. var rest] ? rest : args));
        var onLambda = builder.UseLambdaInvocationHandlerWhenConfigured<SweepInvocationHandler>();
        try
        {
            // As the API does: every setting read and checked first (InvalidSettingsException names them all).
            var settings = builder.AddUsersSettings();
            builder.Logging.AddJsonLineConsole();
            // One run and out: no "Application started. Press Ctrl+C" lines around its own.
            builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
            builder.AddSweepTelemetry(settings.Telemetry);
            builder.Services
                .AddAwsStorage(settings.Storage)
                .AddAvatarSweep(settings.Sweep);
            using var host = builder.Build();
            if (onLambda)
            {
                // Serves invocations until Lambda stops the environment.
                await host.RunAsync();
                return Completed;
            }

            await host.StartAsync();
            var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var report = await host.Services.GetRequiredService<AvatarSweep>().RunAsync(dryRun: false, stopping);
            // Stopping the host disposes the meter provider, which exports the run's metrics (OTLP) once more.
            await host.StopAsync();
            return report.Error is null ? Completed : Failed;
        }
        catch (InvalidSettingsException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            builder.ReportInitError(ex);
            return InvalidSettings;
        }
        catch (Exception ex)
        {
            builder.ReportInitError(ex);
            throw;
        }
    }
}
