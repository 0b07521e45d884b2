using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Users.Functions.Endpoints;
using Users.Lambda.Hosting.Marshalling;
using Users.Lambda.Hosting.Runtime;
using Users.Lambda.Hosting.Server;

namespace Users.Benchmarks;

/// <summary>
/// The Lambda adapter around one request: an API Gateway HTTP API (payload 2.0) event to the request features the
/// pipeline runs on (what InvocationProcessor does before the pipeline), and a response back to the event's JSON.
/// </summary>
[MemoryDiagnoser]
public class LambdaMarshallingBenchmarks
{
    private byte[] getUsersEvent = [];
    private byte[] postUserEvent = [];
    private IHttpEventShape shape = null!;
    private LambdaHttpResponse listResponse = null!;
    private LambdaHttpResponse createdResponse = null!;

    [GlobalSetup]
    public void Setup()
    {
        getUsersEvent = Inputs.Event("http-api-get-users.json");
        postUserEvent = Inputs.Event("http-api-post-user.json");
        using (var document = JsonDocument.Parse(getUsersEvent))
        {
            shape = HttpEventShapes.Find(document.RootElement) ?? throw new InvalidOperationException("events/http-api-get-users.json is not an HTTP event");
        }

        // GET /users of 100 users (≈17 KB of JSON) and a 201 of one, with the headers the app sets.
        var users = Inputs.Users(100).Select(UserResponse.From).ToList();
        listResponse = new LambdaHttpResponse(
            StatusCodes.Status200OK,
            new HeaderDictionary { [HeaderNames.ContentType] = "application/json; charset=utf-8" },
            JsonSerializer.SerializeToUtf8Bytes(users, UsersJsonContext.Default.ListUserResponse));
        createdResponse = new LambdaHttpResponse(
            StatusCodes.Status201Created,
            new HeaderDictionary { [HeaderNames.ContentType] = "application/json; charset=utf-8" },
            JsonSerializer.SerializeToUtf8Bytes(users[0], UsersJsonContext.Default.UserResponse));
    }

    [Benchmark]
    public string GetUsersEventToFeatures() => ToFeatures(getUsersEvent);

    /// <summary>events/http-api-post-user.json: a base64 multipart body (name, email, a 1×1 PNG).</summary>
    [Benchmark]
    public string PostUserEventToFeatures() => ToFeatures(postUserEvent);

    [Benchmark]
    public byte[] ListResponseToEvent() => shape.WriteResponse(listResponse);

    [Benchmark]
    public byte[] CreatedResponseToEvent() => shape.WriteResponse(createdResponse);

    private static string ToFeatures(byte[] payload)
    {
        var invocation = new LambdaInvocation("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", null, null, null, payload);
        using var document = JsonDocument.Parse(invocation.Payload);
        var found = HttpEventShapes.Find(document.RootElement)!;
        var request = found.ReadRequest(document.RootElement);
        using var features = new LambdaHttpFeatures(request, invocation, CancellationToken.None);
        return features.Features.GetRequiredFeature<IHttpRequestFeature>().Path;
    }
}
