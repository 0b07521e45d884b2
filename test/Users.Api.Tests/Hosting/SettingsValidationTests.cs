using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Users.Core.Adapters.Aws;
using Users.Functions.Settings;

namespace Users.Api.Tests.Hosting;

public class SettingsValidationTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["USERS_TABLE_NAME"] = "users-test",
        ["AVATARS_BUCKET_NAME"] = "avatars-test",
        ["AWS_REGION"] = "us-east-1",
    };

    private static SettingsValidation For(params (string Key, string Value)[] overrides)
    {
        var values = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        return new SettingsValidation(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    [Fact]
    public void One_options_class_gives_its_failures()
    {
        var invalid = Assert.Throws<OptionsValidationException>(() => For(("METRICS_PORT", "70000")).ThrowIfInvalid());

        var failure = Assert.Single(invalid.Failures);
        Assert.StartsWith("METRICS_PORT='70000' is not valid", failure, StringComparison.Ordinal);
        Assert.Equal(typeof(ApiOptions), invalid.OptionsType);
    }

    [Fact]
    public void Several_options_classes_give_every_failure_in_one_exception()
    {
        var invalid = Assert.Throws<OptionsValidationException>(() =>
            For(("AWS_REGION", "mars"), ("AVATARS_BUCKET_NAME", "x"), ("METRICS_PORT", "70000")).ThrowIfInvalid());

        Assert.Collection(invalid.Failures,
            f => Assert.StartsWith("AVATARS_BUCKET_NAME='x' is not valid", f, StringComparison.Ordinal),
            f => Assert.StartsWith("AWS_REGION='mars' is not valid", f, StringComparison.Ordinal),
            f => Assert.StartsWith("METRICS_PORT='70000' is not valid", f, StringComparison.Ordinal));
        Assert.Equal(typeof(AwsStorageOptions), invalid.OptionsType);
    }

    [Fact]
    public void Valid_settings_pass()
    {
        For().ThrowIfInvalid();
        For(("METRICS_PORT", "0"), ("AWS_REGION", "eu-west-1")).ThrowIfInvalid();
    }
}
