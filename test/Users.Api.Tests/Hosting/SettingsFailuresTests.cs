using Microsoft.Extensions.Options;
using Users.Core.Adapters.Aws;
using Users.Functions.Settings;

namespace Users.Api.Tests.Hosting;

public class SettingsFailuresTests
{
    [Fact]
    public void One_options_class_gives_its_failures()
    {
        var invalid = new OptionsValidationException("", typeof(ApiOptions), ["METRICS_PORT='70000' is not valid"]);

        Assert.Equal(["METRICS_PORT='70000' is not valid"], SettingsFailures.Of(invalid));
    }

    [Fact]
    public void Several_options_classes_thrown_together_give_every_failure()
    {
        var together = new AggregateException(
            new OptionsValidationException("", typeof(AwsStorageOptions), ["AWS_REGION='mars' is not valid", "AVATARS_BUCKET_NAME='x' is not valid"]),
            new OptionsValidationException("", typeof(ApiOptions), ["METRICS_PORT='70000' is not valid"]));

        Assert.Equal(
            ["AWS_REGION='mars' is not valid", "AVATARS_BUCKET_NAME='x' is not valid", "METRICS_PORT='70000' is not valid"],
            SettingsFailures.Of(together));
    }

    [Fact]
    public void Anything_else_is_not_a_settings_failure()
    {
        Assert.Empty(SettingsFailures.Of(new InvalidOperationException("boom")));
        Assert.Empty(SettingsFailures.Of(new AggregateException(new OptionsValidationException("", typeof(ApiOptions), ["x"]), new InvalidOperationException())));
        Assert.Empty(SettingsFailures.Of(new AggregateException()));
    }
}
