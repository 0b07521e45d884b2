using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;

namespace Users.Core.Adapters.Aws;

/// <summary>
/// Builds the SDK clients from <see cref="AwsStorageOptions"/>: region, optional endpoint, timeouts and retries;
/// credentials from the SDK's default chain, failures named by source (<see cref="DefaultChainCredentials"/>).
/// </summary>
public static class AwsClients
{
    public static IAmazonDynamoDB CreateDynamoDb(AwsStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonDynamoDBConfig();
        Apply(config, options);
        return new AmazonDynamoDBClient(new DefaultChainCredentials(config), config);
    }

    public static IAmazonS3 CreateS3(AwsStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config();
        Apply(config, options);
        if (options.ServiceUrl is not null)
        {
            // Emulators (LocalStack, moto) serve buckets under the path, not as virtual hosts.
            config.ForcePathStyle = true;
        }

        return new AmazonS3Client(new DefaultChainCredentials(config), config);
    }

    private static void Apply(ClientConfig config, AwsStorageOptions options)
    {
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl.ToString();
            config.AuthenticationRegion = options.Region;
        }

        config.Timeout = options.AttemptTimeout;
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = options.MaxRetries;
    }
}
