using System.Net;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Smoke;

/// <summary>
/// The non-destructive part of the API contract, black box over HTTP, runnable against any deployment:
/// <c>make smoke URL=https://…</c> (filter <c>Category=Smoke</c>). Nothing here writes: the one bad request it sends
/// must be refused and leave nothing behind. <see cref="SmokeWriteTests"/> creates a user and runs only when asked.
/// In <c>make test</c> both run against a local process (see <see cref="SmokeTarget"/>).
/// Tests marked <c>Scope=AnyRoute</c> need every path to reach the app (Kestrel, an ingress); behind the SAM HTTP API,
/// which routes only <c>GET /users</c> and <c>POST /user</c>, <c>SMOKE_SCOPE=api</c> leaves them out.
/// </summary>
[Trait("Category", "Smoke")]
public sealed class SmokeTests(SmokeTarget target) : IClassFixture<SmokeTarget>
{
    private HttpClient Client => target.Client;

    [Fact]
    [Trait("Scope", "AnyRoute")]
    public async Task Live_and_ready_answer_200()
    {
        using var live = await Client.GetAsync("health/live");
        Assert.True(live.StatusCode == HttpStatusCode.OK, $"{target.Description}: /health/live gave {(int)live.StatusCode}");

        // Ready asks DynamoDB and S3: a deployment whose role, table or bucket is wrong fails here.
        using var ready = await Client.GetAsync("health/ready");
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{target.Description}: /health/ready gave {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Users_is_a_json_array_of_users_and_pages_with_limit()
    {
        using var all = await Client.GetAsync("users");
        var users = await HttpAssert.Json(all, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, users.ValueKind);
        if (target.Storage is not null)
        {
            // The local instance's storage was seeded: the shape and paging checks below run on real users.
            Assert.True(users.GetArrayLength() >= SmokeTarget.SeededUsers, $"{target.Description}: {users.GetArrayLength()} users listed, {SmokeTarget.SeededUsers} seeded");
        }

        Assert.All(users.EnumerateArray(), HttpAssert.UserShape);

        using var page = await Client.GetAsync("users?limit=1");
        var first = await HttpAssert.Json(page, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, first.ValueKind);
        Assert.True(first.GetArrayLength() == Math.Min(1, users.GetArrayLength()), $"limit=1 returned {first.GetArrayLength()} users of {users.GetArrayLength()}");
        if (users.GetArrayLength() > 1)
        {
            var link = page.Headers.TryGetValues("Link", out var links) ? string.Join(',', links) : "(none)";
            Assert.True(link.Contains("rel=\"next\"", StringComparison.Ordinal), $"{target.Description}: limit=1 of {users.GetArrayLength()} users gave no Link rel=\"next\": {link}");
        }
    }

    [Fact]
    public async Task A_bad_limit_is_a_400_problem()
    {
        using var response = await Client.GetAsync("users?limit=0");
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    [Trait("Scope", "AnyRoute")]
    public async Task An_unknown_path_is_a_404_problem()
    {
        using var response = await Client.GetAsync($"no-such-path-{Guid.NewGuid():N}");
        await HttpAssert.Problem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    [Trait("Scope", "AnyRoute")]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var response = await Client.DeleteAsync("users");
        await HttpAssert.Problem(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_is_a_415_problem()
    {
        using var body = new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("user", body);
        await HttpAssert.Problem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_invalid_registration_is_a_400_problem_and_writes_nothing()
    {
        // A valid, unique email and avatar with an invalid name: refused before anything is stored.
        var email = Images.UniqueEmail("smoke-invalid");
        var objectsBefore = target.Storage is { } owned ? await owned.ObjectKeysAsync() : [];
        using var response = await Client.PostAsync("user", Images.Form("   ", email, Images.Png));
        await HttpAssert.FieldError(response, "name");

        using var list = await Client.GetAsync("users");
        var users = await HttpAssert.Json(list, HttpStatusCode.OK);
        Assert.DoesNotContain(users.EnumerateArray(), u => u.GetProperty("email").GetString() == email);
        if (target.Storage is { } storage)
        {
            Assert.Null(await storage.ItemAsync(email));
            Assert.Equal(objectsBefore.Order(StringComparer.Ordinal), (await storage.ObjectKeysAsync()).Order(StringComparer.Ordinal));
        }
    }
}

/// <summary>
/// The one writing smoke check: a user with a unique <c>smoke-…@example.com</c> address is created and listed.
/// Against a deployment it runs only with <c>SMOKE_ALLOW_WRITES=1</c> (filter <c>Category=SmokeWrite</c>), since the
/// user stays in the table (the API has no delete).
/// </summary>
[Trait("Category", "SmokeWrite")]
public sealed class SmokeWriteTests(SmokeTarget target) : IClassFixture<SmokeTarget>
{
    [Fact]
    public async Task A_registration_is_created_and_listed()
    {
        var email = Images.UniqueEmail("smoke");
        using var created = await target.Client.PostAsync("user", Images.Form("Smoke Test", email, Images.Png));
        var user = await HttpAssert.Json(created, HttpStatusCode.Created);
        HttpAssert.UserShape(user);
        Assert.Equal(email, user.GetProperty("email").GetString());

        using var list = await target.Client.GetAsync("users");
        var users = await HttpAssert.Json(list, HttpStatusCode.OK);
        Assert.Single(users.EnumerateArray(), u => u.GetProperty("email").GetString() == email);
    }
}
