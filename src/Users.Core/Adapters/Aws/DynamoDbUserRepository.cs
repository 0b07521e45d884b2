using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Users.Core.Domain;
using Users.Core.Ports;

namespace Users.Core.Adapters.Aws;

/// <summary>
/// Users in one DynamoDB table keyed by <c>email</c> (S). Each item is exactly
/// <c>{"name":{"S":…},"avatar_url":{"S":…},"email":{"S":…}}</c>.
/// </summary>
public sealed class DynamoDbUserRepository(IAmazonDynamoDB dynamoDb, AwsStorageOptions options) : IUserRepository, IAvatarReferences
{
    internal const string EmailAttribute = "email";
    internal const string NameAttribute = "name";
    internal const string AvatarUrlAttribute = "avatar_url";
    private const string Dependency = "DynamoDB";
    private const string CursorPrefix = "u1:";

    public async Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var request = new PutItemRequest
        {
            TableName = options.TableName,
            Item = new Dictionary<string, AttributeValue>
            {
                [NameAttribute] = new() { S = user.Name },
                [AvatarUrlAttribute] = new() { S = user.AvatarUrl },
                [EmailAttribute] = new() { S = user.Email },
            },
            // The condition makes the e-mail unique even when two registrations race.
            ConditionExpression = "attribute_not_exists(#email)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#email"] = EmailAttribute },
        };

        try
        {
            await DependencyCall.RunAsync(
                Dependency, "PutItem", options.TableName, () => dynamoDb.PutItemAsync(request, cancellationToken), ex => ex is ConditionalCheckFailedException);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "PutItem", ex, TableResource);
        }
    }

    public async Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var startKey = cursor is null ? null : KeyFor(DecodeCursor(cursor));

        // Ask for one more than the limit: if it comes back, more remain and the cursor is the last returned user.
        int? wanted = limit + 1;
        var users = new List<User>();
        do
        {
            var response = await ScanPageAsync(startKey, PageLimit(wanted - users.Count), cancellationToken);
            users.AddRange((response.Items ?? []).Select(ToUser));
            startKey = NextKey(response);
        }
        while (startKey is not null && (wanted is null || users.Count < wanted));

        if (limit is null || users.Count <= limit)
        {
            return new UserPage(users, null);
        }

        var page = users.GetRange(0, limit.Value);
        return new UserPage(page, EncodeCursor(page[^1].Email));
    }

    public async IAsyncEnumerable<UserPage> ScanAllAsync(string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var startKey = after is null ? null : KeyFor(DecodeCursor(after));
        do
        {
            var response = await ScanPageAsync(startKey, options.ScanPageSize, cancellationToken);
            startKey = NextKey(response);
            var users = response.Items is { Count: > 0 } items ? items.ConvertAll(ToUser) : [];
            if (users.Count > 0 || startKey is null)
            {
                // A page DynamoDB returned empty but with more to come says nothing; the last one says "the end".
                yield return new UserPage(users, startKey is null ? null : EncodeCursor(Text(startKey, EmailAttribute)));
            }
        }
        while (startKey is not null);
    }

    public async IAsyncEnumerable<IReadOnlyList<string>> ScanAvatarUrlsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            // Strongly consistent (twice the read units of an eventually consistent page), and only the avatar URL.
            var request = new ScanRequest
            {
                TableName = options.TableName,
                ExclusiveStartKey = startKey,
                ConsistentRead = true,
                ProjectionExpression = "#avatar",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#avatar"] = AvatarUrlAttribute },
                Limit = options.ScanPageSize,
            };
            var response = await ScanAsync(request, cancellationToken);
            startKey = NextKey(response);
            if (response.Items is { Count: > 0 } items)
            {
                yield return [.. items.Select(item => Text(item, AvatarUrlAttribute)).Where(url => url.Length > 0)];
            }
        }
        while (startKey is not null);
    }

    public string CursorAfter(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return EncodeCursor(user.Email);
    }

    public async Task<User?> FindAsync(string email, CancellationToken cancellationToken)
    {
        try
        {
            var request = new GetItemRequest { TableName = options.TableName, Key = KeyFor(email), ConsistentRead = true };
            var response = await DependencyCall.RunAsync(Dependency, "GetItem", options.TableName, () => dynamoDb.GetItemAsync(request, cancellationToken));
            return response.Item is { Count: > 0 } item ? ToUser(item) : null;
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "GetItem", ex, TableResource);
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DependencyCall.RunAsync(
                Dependency, "DescribeTable", options.TableName, () => dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = options.TableName }, cancellationToken));
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "DescribeTable", ex, TableResource);
        }
    }

    /// <summary>One Scan call (one page of at most 1 MB, or <paramref name="limit"/> items), timed and its failure mapped.</summary>
    private async Task<ScanResponse> ScanPageAsync(Dictionary<string, AttributeValue>? startKey, int? limit, CancellationToken cancellationToken)
    {
        var request = new ScanRequest { TableName = options.TableName, ExclusiveStartKey = startKey };
        if (limit is not null)
        {
            request.Limit = limit;
        }

        return await ScanAsync(request, cancellationToken);
    }

    private async Task<ScanResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await DependencyCall.RunAsync(Dependency, "Scan", options.TableName, () => dynamoDb.ScanAsync(request, cancellationToken));
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "Scan", ex, TableResource);
        }
    }

    /// <summary>The table as a denial names it when AWS's message does not (the account is not known here).</summary>
    private string TableResource => $"table/{options.TableName}";

    private static Dictionary<string, AttributeValue>? NextKey(ScanResponse response) =>
        response.LastEvaluatedKey is { Count: > 0 } next ? next : null;

    private int? PageLimit(int? remaining) => (remaining, options.ScanPageSize) switch
    {
        (null, var size) => size,
        (var r, null) => r,
        (var r, var size) => Math.Min(r.Value, size.Value),
    };

    private static Dictionary<string, AttributeValue> KeyFor(string email) =>
        new() { [EmailAttribute] = new AttributeValue { S = email } };

    private static User ToUser(Dictionary<string, AttributeValue> item) =>
        new(Text(item, NameAttribute), Text(item, EmailAttribute), Text(item, AvatarUrlAttribute));

    private static string Text(Dictionary<string, AttributeValue> item, string attribute) =>
        item.TryGetValue(attribute, out var value) && value.S is { } s ? s : string.Empty;

    internal static string EncodeCursor(string email) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(CursorPrefix + email));

    internal static string DecodeCursor(string cursor)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException ex)
        {
            throw new InvalidCursorException("The cursor is not valid.", ex);
        }

        if (!decoded.StartsWith(CursorPrefix, StringComparison.Ordinal) || decoded.Length == CursorPrefix.Length)
        {
            throw new InvalidCursorException();
        }

        return decoded[CursorPrefix.Length..];
    }
}
