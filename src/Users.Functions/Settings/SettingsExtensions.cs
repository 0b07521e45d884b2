using Microsoft.Extensions.Options;

namespace Users.Functions.Settings;

/// <summary>The service's settings, read once and checked once, before anything is built.</summary>
public static class SettingsExtensions
{
    /// <summary>
    /// Reads every setting (the shipped <c>appsettings.json</c> beside the app, then the environment; see
    /// <see cref="SettingsReader"/>). Throws <see cref="InvalidSettingsException"/> naming every invalid setting of every
    /// class; otherwise registers each class as one <see cref="IOptions{TOptions}"/> value for its consumers and returns
    /// them for what is decided while registering (the storage clients, the telemetry exporters).
    /// </summary>
    public static UsersSettings AddUsersSettings(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AppSettingsFile.AddBesideTheApp(builder.Configuration, builder.Environment.ContentRootPath, AppContext.BaseDirectory);
        var settings = SettingsReader.Read(builder.Configuration);
        if (settings.Errors.Count > 0)
        {
            throw new InvalidSettingsException(settings.Errors);
        }

        // Nothing changes them while the service runs (appsettings.json is not watched): one value each, no monitor.
        // The storage and sweep options go to Users.Core's registrations as they are (AddAwsStorage, AddAvatarSweep).
        builder.Services.AddSingleton(Options.Create(settings.Api));
        builder.Services.AddSingleton(Options.Create(settings.Admission));
        builder.Services.AddSingleton(Options.Create(settings.Telemetry));
        return settings;
    }
}
