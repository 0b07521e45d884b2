using Microsoft.Extensions.Options;
using Users.Functions;
using Users.Functions.Settings;
using Users.Lambda.Hosting;

try
{
    var builder = WebApplication.CreateSlimBuilder(HostArguments.WithDefaults(args));
    builder.UseLambdaHostingWhenConfigured();
    builder.AddUsersApi();

    var app = builder.Build();
    // Every setting of both classes is checked now, before anything starts: an invalid one is the one line below, not
    // the host's "Hosting failed to start" with a stack trace (ValidateOnStart stays behind it, per class).
    app.Services.GetRequiredService<SettingsValidation>().ThrowIfInvalid();
    app.UseUsersApi();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // An invalid setting: say which and why, then stop (no stack trace needed).
    await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join(" ", ex.Failures)}");
    return 2;
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
