using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Users.Core.Domain;
using Users.Core.UseCases;
using Users.Functions.Endpoints;
using Users.Functions.Settings;

namespace Users.Benchmarks;

/// <summary>
/// <c>GET /users</c> without a limit, as <see cref="UserListResult"/> writes it: the whole result (one DynamoDB page
/// from memory, readable avatar URLs, the JSON array into a discarded response body), and its inner loop alone.
/// Divide by <see cref="Users"/> for the cost per listed user.
/// </summary>
[MemoryDiagnoser]
public class UserListBenchmarks
{
    private IServiceProvider services = null!;
    private UserListResult streamed = null!;
    private UserListResult bounded = null!;
    private UserListResult snapshot = null!;
    private List<User> users = null!;
    private JsonTypeInfo<UserResponse> typeInfo = null!;
    private JsonWriterOptions writerOptions;
    private ArrayBufferWriter<byte> buffer = null!;

    [Params(100, 1_000)]
    public int Users { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        users = Inputs.Users(Users);

        // The JSON options as UsersApi.AddUsersApi configures them (the source-generated context first).
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, UsersJsonContext.Default));
        services = collection.BuildServiceProvider();

        // DynamoDB pages hold up to 1 MB (≈6,000 users of this size): 100 and 1,000 users are one page.
        var listUsers = new ListUsers(new InMemoryUsers(users, pageSize: 6_000), new PublicAvatars());
        // Each list on a Scan of its own (LIST_COALESCE=false): the per-request work when nothing is shared.
        var own = new ApiOptions { ListCoalesce = false };
        streamed = new UserListResult(Lists(listUsers, own), listUsers, own, ifNoneMatch: null);
        var ownBounded = new ApiOptions { ListCoalesce = false, ListMaxResponseBytes = ApiOptions.LambdaListMaxResponseBytes };
        bounded = new UserListResult(Lists(listUsers, ownBounded), listUsers, ownBounded, ifNoneMatch: null);

        // A snapshot that is always fresh: what a list costs when its pages were serialized by an earlier pass.
        var shared = new ApiOptions { ListSnapshotDuration = TimeSpan.FromDays(1) };
        snapshot = new UserListResult(Lists(listUsers, shared), listUsers, shared, ifNoneMatch: null);

        var serializer = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        typeInfo = (JsonTypeInfo<UserResponse>)serializer.GetTypeInfo(typeof(UserResponse));
        writerOptions = new JsonWriterOptions { Encoder = serializer.Encoder, SkipValidation = true };
        buffer = new ArrayBufferWriter<byte>(16 * 1024);
    }

    /// <summary>The Kestrel path: every user serialized straight into the page buffer, one write per page.</summary>
    [Benchmark(Baseline = true)]
    public Task ListStreamed() => streamed.ExecuteAsync(NewContext());

    /// <summary>The Lambda path (LIST_MAX_RESPONSE_BYTES set): each user serialized aside to measure it, then copied.</summary>
    [Benchmark]
    public Task ListBoundedLambda() => bounded.ExecuteAsync(NewContext());

    /// <summary>A list served from a snapshot (LIST_SNAPSHOT_SECONDS): the pages' bytes copied into the response.</summary>
    [Benchmark]
    public Task ListFromSnapshot() => snapshot.ExecuteAsync(NewContext());

    /// <summary>Only the serializer loop of UserListResult (UserResponse.From + the generated type info), no HttpContext.</summary>
    [Benchmark]
    public int SerializeOnly()
    {
        buffer.ResetWrittenCount();
        using var json = new Utf8JsonWriter(buffer, writerOptions);
        json.WriteStartArray();
        foreach (var user in users)
        {
            JsonSerializer.Serialize(json, UserResponse.From(user), typeInfo);
        }

        json.WriteEndArray();
        json.Flush();
        return buffer.WrittenCount;
    }

    private SharedUserList Lists(ListUsers listUsers, ApiOptions options) => new(
        listUsers, Options.Create(options), services.GetRequiredService<IOptions<JsonOptions>>(), TimeProvider.System,
        services.GetRequiredService<ILogger<SharedUserList>>());

    private DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = "/users";
        context.Response.Body = Stream.Null;
        return context;
    }
}
