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
    public void Configure(AwsStorageOptions options) => SettingsReader.ReadStorage(configuration, options);

    public void Configure(ApiOptions options) => SettingsReader.ReadApi(configuration, options);

    public ValidateOptionsResult Validate(string? name, AwsStorageOptions options) =>
        Result(SettingsReader.ReadStorage(configuration, new AwsStorageOptions()));

    public ValidateOptionsResult Validate(string? name, ApiOptions options) =>
        Result(SettingsReader.ReadApi(configuration, new ApiOptions()));

    private static ValidateOptionsResult Result(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
