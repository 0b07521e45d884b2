using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// Direct SDK access to the emulator (not through the app or its proxy), for arranging and asserting on what
/// the app really stored: one table and one bucket per fixture, with unique names.
/// </summary>
public sealed class AwsTestStorage : IDisposable
{
    public const string Region = "us-east-1";
    public static readonly AWSCredentials Credentials = new BasicAWSCredentials("test", "test");

    public AwsTestStorage(Uri endpoint)
        : this(endpoint, Guid.NewGuid().ToString("N")[..12])
    {
    }

    /// <summary>A table and a bucket of these names (made elsewhere, e.g. by Terraform, unless <see cref="CreateAsync"/> is called).</summary>
    public AwsTestStorage(Uri endpoint, string tableName, string bucketName)
    {
        Endpoint = endpoint;
        TableName = tableName;
        BucketName = bucketName;
        DynamoDb = new AmazonDynamoDBClient(Credentials, new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = Region });
        S3 = new AmazonS3Client(Credentials, new AmazonS3Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = Region, ForcePathStyle = true });
    }

    private AwsTestStorage(Uri endpoint, string suffix)
        : this(endpoint, $"users-{suffix}", $"avatars-{suffix}")
    {
    }

    public Uri Endpoint { get; }

    public string TableName { get; }

    public string BucketName { get; }

    public IAmazonDynamoDB DynamoDb { get; }

    public IAmazonS3 S3 { get; }

    public async Task CreateAsync()
    {
        await DynamoDb.CreateTableAsync(new CreateTableRequest
        {
            TableName = TableName,
            AttributeDefinitions = [new AttributeDefinition("email", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("email", KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = BucketName });
    }

    public async Task<List<string>> ObjectKeysAsync()
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = BucketName, ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    public async Task<Dictionary<string, AttributeValue>?> ItemAsync(string email)
    {
        var response = await DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new Dictionary<string, AttributeValue> { ["email"] = new() { S = email } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    public async Task<List<Dictionary<string, AttributeValue>>> ScanAsync()
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await DynamoDb.ScanAsync(new ScanRequest { TableName = TableName, ExclusiveStartKey = start });
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
        return items;
    }

    public async Task PutItemAsync(string email, string name, string avatarUrl) =>
        await DynamoDb.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new Dictionary<string, AttributeValue>
            {
                ["name"] = new() { S = name },
                ["avatar_url"] = new() { S = avatarUrl },
                ["email"] = new() { S = email },
            },
        });

    public void Dispose()
    {
        DynamoDb.Dispose();
        S3.Dispose();
    }
}
