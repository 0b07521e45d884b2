using Microsoft.Extensions.Options;
using Users.Core.Adapters.Aws;

namespace Users.Functions.Settings;

/// <summary>
/// Binds both options classes from configuration and fails start-up (ValidateOnStart) with every invalid
/// setting named, rather than failing on the first request.
/// </summary>
internal sealed class SettingsValidation(IConfiguration configuration)
    : IConfigureOptions<AwsStorageOptions>, IConfigureOptions<ApiOptions>, IValidateOptions<AwsStorageOptions>, IValidateOptions<ApiOptions>
{
    private ApiOptions? api;

    /// <summary>The API settings as bound, not validated (an invalid value keeps its default): for what is built before
    /// <see cref="ThrowIfInvalid"/> runs.</summary>
    public ApiOptions Api => api ??= Bound();

    public void Configure(AwsStorageOptions options) => SettingsReader.ReadStorage(configuration, options);

    public void Configure(ApiOptions options) => SettingsReader.ReadApi(configuration, options);

    public ValidateOptionsResult Validate(string? name, AwsStorageOptions options) =>
        Result(SettingsReader.ReadStorage(configuration, new AwsStorageOptions()));

    public ValidateOptionsResult Validate(string? name, ApiOptions options) =>
        Result(SettingsReader.ReadApi(configuration, new ApiOptions()));

    /// <summary>
    /// Every invalid setting of both classes as one <see cref="OptionsValidationException"/>, for Program to check before
    /// the host starts: one line naming them all, and one init error on Lambda, instead of the host's "Hosting failed
    /// to start" with a stack trace for whichever class it resolved first.
    /// </summary>
    public void ThrowIfInvalid()
    {
        var storage = SettingsReader.ReadStorage(configuration, new AwsStorageOptions());
        var api = SettingsReader.ReadApi(configuration, new ApiOptions());
        if (storage.Count + api.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName,
                storage.Count > 0 ? typeof(AwsStorageOptions) : typeof(ApiOptions), [.. storage, .. api]);
        }
    }

    private ApiOptions Bound()
    {
        var options = new ApiOptions();
        SettingsReader.ReadApi(configuration, options);
        return options;
    }

    private static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
