using System.Text.Json;
using Users.Lambda.Hosting.Marshalling;

namespace Users.Lambda.Tests;

/// <summary>The sample events in events/ (for `sam local invoke`) have the shapes they claim.</summary>
public sealed class SampleEventTests
{
    private static readonly string EventsFolder = Path.Combine(SamTemplateTests.RepoRoot, "events");

    [Fact]
    public void Http_api_get_users_is_a_payload_2_0_get_of_users()
    {
        var (shape, request) = Read("http-api-get-users.json");

        Assert.IsType<HttpApiV2EventShape>(shape);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/users", request.Path.Value);
    }

    [Fact]
    public void Http_api_post_user_carries_a_base64_multipart_form_with_a_png()
    {
        var (shape, request) = Read("http-api-post-user.json");

        Assert.IsType<HttpApiV2EventShape>(shape);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("multipart/form-data; boundary=", request.Headers.ContentType.ToString(), StringComparison.Ordinal);
        var body = request.Body;
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        Assert.True(body.AsSpan().IndexOf(png) > 0, "the form has no PNG in it");
        Assert.Equal(body.Length, request.Headers.ContentLength);
    }

    [Fact]
    public void Rest_api_get_users_is_a_payload_1_0_request_under_the_prod_stage()
    {
        var (shape, request) = Read("rest-api-get-users.json");

        Assert.IsType<RestApiV1EventShape>(shape);
        Assert.Equal("/prod", request.PathBase.Value);
        Assert.Equal("/users", request.Path.Value);
    }

    [Fact]
    public void Sqs_event_is_not_an_http_event()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EventsFolder, "sqs-not-http.json")));

        Assert.Null(HttpEventShapes.Find(document.RootElement));
    }

    [Fact]
    public void Env_vars_file_configures_the_template_function()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EventsFolder, "env.local.json")));
        var function = document.RootElement.GetProperty("UsersApiFunction");

        Assert.False(string.IsNullOrEmpty(function.GetProperty("AWS_ENDPOINT_URL").GetString()));
        Assert.Equal("users", function.GetProperty("USERS_TABLE_NAME").GetString());
        Assert.Equal("users-avatars", function.GetProperty("AVATARS_BUCKET_NAME").GetString());
    }

    private static (IHttpEventShape Shape, LambdaHttpRequest Request) Read(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EventsFolder, name)));
        var shape = HttpEventShapes.Find(document.RootElement);
        Assert.NotNull(shape);
        return (shape, shape.ReadRequest(document.RootElement));
    }
}
