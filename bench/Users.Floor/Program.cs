using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Users.Core.Adapters.Aws;

// The floor (see the project file): the same Kestrel, the same SDK clients and calls, the same JSON, nothing else.
var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var storage = new AwsStorageOptions
{
    TableName = builder.Configuration["USERS_TABLE_NAME"] ?? "users",
    BucketName = builder.Configuration["AVATARS_BUCKET_NAME"] ?? "users-avatars",
    Region = builder.Configuration["AWS_REGION"] ?? "us-east-1",
    ServiceUrl = builder.Configuration["AWS_ENDPOINT_URL"] is { Length: > 0 } endpoint ? new Uri(endpoint) : null,
};
var dynamoDb = AwsClients.CreateDynamoDb(storage);
var s3 = AwsClients.CreateS3(storage);
var app = builder.Build();

app.MapGet("/health/live", () => "ok");

// Every user, one Scan page at a time (the service's SCAN_PAGE_SIZE default), written into the response as it comes.
app.MapGet("/users", async (HttpContext context) =>
{
    var response = context.Response;
    response.ContentType = "application/json; charset=utf-8";
    await using var json = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
    json.WriteStartArray();
    var request = new ScanRequest { TableName = storage.TableName, Limit = storage.ScanPageSize };
    do
    {
        var page = await dynamoDb.ScanAsync(request, context.RequestAborted);
        foreach (var item in page.Items ?? [])
        {
            json.WriteStartObject();
            json.WriteString("avatar_url"u8, item["avatar_url"].S);
            json.WriteString("email"u8, item["email"].S);
            json.WriteString("name"u8, item["name"].S);
            json.WriteEndObject();
        }

        json.Flush();
        await response.BodyWriter.FlushAsync(context.RequestAborted);
        request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
    }
    while (request.ExclusiveStartKey is not null);
    json.WriteEndArray();
});

// The avatar to S3 under a new key, then the item, conditional on the e-mail being new (its object removed if not).
app.MapPost("/user", async (HttpContext context) =>
{
    var form = await context.Request.ReadFormAsync(context.RequestAborted);
    var name = form["name"].ToString().Trim();
    var email = form["email"].ToString().Trim().ToLowerInvariant();
    var file = form.Files["avatar"];
    if (name.Length == 0 || !email.Contains('@', StringComparison.Ordinal) || file is null || file.Length == 0)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    var avatar = new MemoryStream((int)file.Length);
    await file.CopyToAsync(avatar, context.RequestAborted);
    avatar.Position = 0;
    var key = $"avatars/{Guid.NewGuid():N}.png";
    await s3.PutObjectAsync(new PutObjectRequest { BucketName = storage.BucketName, Key = key, InputStream = avatar, ContentType = "image/png" }, context.RequestAborted);
    var url = AvatarUrls.Stored(storage, key);
    try
    {
        await dynamoDb.PutItemAsync(
            new PutItemRequest
            {
                TableName = storage.TableName,
                Item = new Dictionary<string, AttributeValue> { ["name"] = new() { S = name }, ["avatar_url"] = new() { S = url }, ["email"] = new() { S = email } },
                ConditionExpression = "attribute_not_exists(#email)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#email"] = "email" },
            },
            context.RequestAborted);
    }
    catch (ConditionalCheckFailedException)
    {
        await s3.DeleteObjectAsync(storage.BucketName, key, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return;
    }

    context.Response.StatusCode = StatusCodes.Status201Created;
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.Body.WriteAsync(Created(url, email, name), context.RequestAborted);
});

await app.RunAsync();

// The service's 201 body: {"avatar_url":…,"email":…,"name":…}.
static byte[] Created(string url, string email, string name)
{
    var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
    using (var json = new Utf8JsonWriter(buffer))
    {
        json.WriteStartObject();
        json.WriteString("avatar_url"u8, url);
        json.WriteString("email"u8, email);
        json.WriteString("name"u8, name);
        json.WriteEndObject();
    }

    return buffer.WrittenSpan.ToArray();
}
