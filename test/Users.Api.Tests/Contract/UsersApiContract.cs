using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using Users.Api.Tests.Infrastructure;
using Users.Core.Adapters.Aws;

namespace Users.Api.Tests.Contract;

/// <summary>
/// The API contract, written once and run against every host (Kestrel, Lambda): each host supplies a fixture
/// and a one-line subclass. Everything goes through HTTP to the real app and the real SDK against a real
/// emulator; assertions on storage read the emulator directly.
/// </summary>
public abstract class UsersApiContract<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ApiFixture
{
    protected TFixture Fixture { get; } = fixture;

    protected HttpClient Client => Fixture.Client;

    protected AwsTestStorage Storage => Fixture.Storage;

    // ---- POST /user --------------------------------------------------------------------------------

    [Fact]
    public async Task Create_returns_201_with_the_user_and_stores_item_and_object()
    {
        var email = Images.UniqueEmail("create");
        using var response = await Client.PostAsync("/user", Images.Form("  Test User  ", "  " + email.ToUpperInvariant() + " ", Images.Png));

        var user = await HttpAssert.Json(response, HttpStatusCode.Created);
        HttpAssert.UserShape(user);
        Assert.Equal("Test User", user.GetProperty("name").GetString());
        Assert.Equal(email, user.GetProperty("email").GetString());

        // The item has exactly the seed's three attributes, all strings.
        var item = await Storage.ItemAsync(email);
        Assert.NotNull(item);
        Assert.Equal(["avatar_url", "email", "name"], item.Keys.Order(StringComparer.Ordinal));
        Assert.All(item.Values, v => Assert.NotNull(v.S));
        Assert.Equal(user.GetProperty("avatar_url").GetString(), item["avatar_url"].S);

        // The object sits under avatars/<id>.png, typed from the content, and the URL is path-style on the endpoint.
        var avatarUrl = user.GetProperty("avatar_url").GetString()!;
        var key = avatarUrl[(avatarUrl.IndexOf("/avatars/", StringComparison.Ordinal) + 1)..];
        Assert.Matches("^avatars/[0-9a-f]{32}\\.png$", key);
        Assert.Equal($"{Fixture.Backend.Endpoint.ToString().TrimEnd('/')}/{Storage.BucketName}/{key}", avatarUrl);
        using var stored = await Storage.S3.GetObjectAsync(Storage.BucketName, key);
        Assert.Equal("image/png", stored.Headers.ContentType);
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.Equal(Images.Png, bytes.ToArray());
    }

    [Fact]
    public async Task Avatar_is_published_without_its_metadata()
    {
        var email = Images.UniqueEmail("metadata");
        using var response = await Client.PostAsync("/user", Images.Form("Metadata", email, Images.PngWithMetadata));

        var user = await HttpAssert.Json(response, HttpStatusCode.Created);
        var avatarUrl = user.GetProperty("avatar_url").GetString()!;
        var key = avatarUrl[(avatarUrl.IndexOf("/avatars/", StringComparison.Ordinal) + 1)..];
        using var stored = await Storage.S3.GetObjectAsync(Storage.BucketName, key);
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        // The text chunk and the appended archive are gone; the image is byte for byte the one without them.
        Assert.Equal(Images.Png, bytes.ToArray());
    }

    [Fact]
    public async Task An_image_whose_structure_cannot_be_followed_is_415_and_stores_nothing()
    {
        var objectsBefore = (await Storage.ObjectKeysAsync()).Count;
        var email = Images.UniqueEmail("truncated");

        using var response = await Client.PostAsync("/user", Images.Form("Truncated", email, Images.TruncatedPng));

        var problem = await HttpAssert.Problem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.StartsWith("The avatar is not a well-formed PNG image: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await Storage.ItemAsync(email));
        Assert.Equal(objectsBefore, (await Storage.ObjectKeysAsync()).Count);
    }

    public static TheoryData<string, string, string> Formats => new()
    {
        { "jpeg", "image/jpeg", "jpg" },
        { "gif", "image/gif", "gif" },
        { "webp", "image/webp", "webp" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Create_accepts_each_image_format_recognised_by_content(string format, string contentType, string extension)
    {
        var bytes = format switch { "jpeg" => Images.Jpeg, "gif" => Images.Gif, _ => Images.WebP };
        var email = Images.UniqueEmail(format);

        // The client's claims are wrong on purpose: only the bytes count.
        using var response = await Client.PostAsync("/user", Images.Form("Format", email, bytes, "avatar.svg", "image/svg+xml"));

        var user = await HttpAssert.Json(response, HttpStatusCode.Created);
        var url = user.GetProperty("avatar_url").GetString()!;
        Assert.EndsWith("." + extension, url, StringComparison.Ordinal);
        var key = url[(url.IndexOf("/avatars/", StringComparison.Ordinal) + 1)..];
        var head = await Storage.S3.GetObjectMetadataAsync(Storage.BucketName, key);
        Assert.Equal(contentType, head.Headers.ContentType);
    }

    [Fact]
    public async Task Create_rejects_svg_even_when_labelled_png_and_stores_nothing()
    {
        var email = Images.UniqueEmail("svg");
        var objectsBefore = await Storage.ObjectKeysAsync();

        using var response = await Client.PostAsync("/user", Images.Form("Svg", email, Images.Svg, "face.png", "image/png"));

        await HttpAssert.Problem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Null(await Storage.ItemAsync(email));
        Assert.Equal(objectsBefore.Order(), (await Storage.ObjectKeysAsync()).Order());
    }

    [Fact]
    public async Task Create_rejects_an_avatar_over_the_default_limit_with_413_and_stores_nothing()
    {
        var email = Images.UniqueEmail("large");
        var objectsBefore = await Storage.ObjectKeysAsync();

        using var response = await Client.PostAsync("/user", Images.Form("Large", email, Images.PngOfSize((4 * 1024 * 1024) + 1)));

        await HttpAssert.Problem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null(await Storage.ItemAsync(email));
        Assert.Equal(objectsBefore.Order(), (await Storage.ObjectKeysAsync()).Order());
    }

    [Fact]
    public async Task Avatar_max_bytes_is_honoured_to_the_byte()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["AVATAR_MAX_BYTES"] = "2048" });

        using var atLimit = await api.Client.PostAsync("/user", Images.Form("At limit", Images.UniqueEmail("limit"), Images.PngOfSize(2048)));
        await HttpAssert.Json(atLimit, HttpStatusCode.Created);

        var email = Images.UniqueEmail("over");
        using var overLimit = await api.Client.PostAsync("/user", Images.Form("Over limit", email, Images.PngOfSize(2049)));
        var problem = await HttpAssert.Problem(overLimit, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("2048", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await Storage.ItemAsync(email));
    }

    [Fact]
    public async Task Duplicate_email_in_any_case_is_409_and_leaves_no_extra_object()
    {
        var email = Images.UniqueEmail("dup");
        using var first = await Client.PostAsync("/user", Images.Form("First", email, Images.Png));
        await HttpAssert.Json(first, HttpStatusCode.Created);
        var objectsAfterFirst = await Storage.ObjectKeysAsync();

        using var second = await Client.PostAsync("/user", Images.Form("Second", email.ToUpperInvariant(), Images.Gif));

        await HttpAssert.Problem(second, HttpStatusCode.Conflict);
        Assert.Equal(objectsAfterFirst.Order(), (await Storage.ObjectKeysAsync()).Order());
        Assert.Equal("First", (await Storage.ItemAsync(email))!["name"].S);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_exactly_one_user_and_one_object()
    {
        var email = Images.UniqueEmail("race");
        var objectsBefore = (await Storage.ObjectKeysAsync()).Count;

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Client.PostAsync("/user", Images.Form($"Racer {i}", email, Images.Png))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(objectsBefore + 1, (await Storage.ObjectKeysAsync()).Count);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    public static TheoryData<string?, string?, string> InvalidFields => new()
    {
        { null, "ok@example.com", "name" },
        { "   ", "ok@example.com", "name" },
        { new string('n', 101), "ok@example.com", "name" },
        { "Bell\u0007", "ok@example.com", "name" },
        { "Ada\u202Eecalevol", "ok@example.com", "name" }, // a right-to-left override (Unicode format character)
        { "Ada\u200BLovelace", "ok@example.com", "name" }, // a zero-width space
        { "Valid", null, "email" },
        { "Valid", "not-an-email", "email" },
        { "Valid", "two@@example.com", "email" },
        { "Valid", "no-tld@example", "email" },
        { "Valid", new string('a', 64) + "@" + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 58) + ".com", "email" },
    };

    [Fact]
    public void The_over_long_email_case_is_255_characters() =>
        Assert.Equal(255, ((string)InvalidFields.Last()[1]).Length);

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Invalid_fields_are_400_with_errors_by_field_and_store_nothing(string? name, string? email, string field)
    {
        var objectsBefore = (await Storage.ObjectKeysAsync()).Count;
        var itemsBefore = (await Storage.ScanAsync()).Count;

        using var response = await Client.PostAsync("/user", Images.Form(name, email, Images.Png));

        await HttpAssert.FieldError(response, field);
        Assert.Equal(objectsBefore, (await Storage.ObjectKeysAsync()).Count);
        Assert.Equal(itemsBefore, (await Storage.ScanAsync()).Count);
    }

    [Fact]
    public async Task Name_of_100_characters_and_email_of_254_are_accepted()
    {
        var local = Guid.NewGuid().ToString("N"); // 32
        var email = $"{local}@{new string('x', 63)}.{new string('y', 63)}.{new string('w', 63)}.{new string('z', 25)}.com";
        Assert.Equal(254, email.Length);

        using var response = await Client.PostAsync("/user", Images.Form(new string('N', 100), email, Images.Png));

        var user = await HttpAssert.Json(response, HttpStatusCode.Created);
        Assert.Equal(email, user.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Missing_or_empty_avatar_is_400_on_the_avatar_field()
    {
        using var missing = await Client.PostAsync("/user", Images.Form("No avatar", Images.UniqueEmail(), null));
        await HttpAssert.FieldError(missing, "avatar");

        using var empty = await Client.PostAsync("/user", Images.Form("Empty avatar", Images.UniqueEmail(), []));
        await HttpAssert.FieldError(empty, "avatar");
    }

    [Fact]
    public async Task Json_instead_of_multipart_is_415()
    {
        using var json = new StringContent("{\"name\":\"x\",\"email\":\"x@example.com\"}", Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/user", json);
        await HttpAssert.Problem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Malformed_multipart_is_400()
    {
        using var body = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nTruncated", Encoding.UTF8);
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        using var response = await Client.PostAsync("/user", body);
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest);
    }

    // ---- GET /users --------------------------------------------------------------------------------

    [Fact]
    public async Task List_returns_every_user_in_the_seed_shape()
    {
        var email = Images.UniqueEmail("list");
        using (var created = await Client.PostAsync("/user", Images.Form("Listed", email, Images.Png)))
        {
            await HttpAssert.Json(created, HttpStatusCode.Created);
        }

        using var response = await Client.GetAsync("/users");

        var users = await HttpAssert.Json(response, HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(JsonValueKind.Array, users.ValueKind);
        Assert.All(users.EnumerateArray(), HttpAssert.UserShape);
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("email").GetString() == email);
        Assert.Equal((await Storage.ScanAsync()).Count, users.GetArrayLength());
        Assert.False(response.Headers.Contains("Link"));
    }

    [Fact]
    public async Task List_follows_every_scan_page()
    {
        // Small DynamoDB pages force the repository through several Scan calls.
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["SCAN_PAGE_SIZE"] = "2" });
        for (var i = 0; i < 5; i++)
        {
            await Storage.PutItemAsync(Images.UniqueEmail("paged"), $"Paged {i}", "https://example.com/avatars/x.png");
        }

        using var response = await api.Client.GetAsync("/users");

        var users = await HttpAssert.Json(response, HttpStatusCode.OK);
        var expected = (await Storage.ScanAsync()).Select(i => i["email"].S).Order(StringComparer.Ordinal);
        Assert.Equal(expected, users.EnumerateArray().Select(u => u.GetProperty("email").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Limit_pages_with_link_headers_until_every_user_is_seen_once()
    {
        for (var i = 0; i < 3; i++)
        {
            await Storage.PutItemAsync(Images.UniqueEmail("page"), $"Page {i}", "https://example.com/avatars/x.png");
        }

        var all = (await Storage.ScanAsync()).Select(i => i["email"].S).ToList();
        var seen = new List<string>();
        var next = "/users?limit=2";
        var pages = 0;
        while (next is not null)
        {
            using var response = await Client.GetAsync(new Uri(next, UriKind.Relative));
            var page = await HttpAssert.Json(response, HttpStatusCode.OK);
            Assert.InRange(page.GetArrayLength(), 1, 2);
            seen.AddRange(page.EnumerateArray().Select(u => u.GetProperty("email").GetString()!));
            next = NextLink(response);
            Assert.True(++pages <= all.Count, "paging does not end");
        }

        Assert.Equal(all.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_list_larger_than_its_byte_bound_ends_with_a_link_to_the_rest_and_every_user_is_seen_once()
    {
        // LIST_MAX_RESPONSE_BYTES is what keeps a Lambda response under its 6 MB payload limit (2.5 MiB there by default).
        const int bound = 1024;
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["LIST_MAX_RESPONSE_BYTES"] = bound.ToString(CultureInfo.InvariantCulture), ["SCAN_PAGE_SIZE"] = "3" });
        for (var i = 0; i < 12; i++)
        {
            await Storage.PutItemAsync(Images.UniqueEmail("bounded"), $"Bounded {i}", "https://example.com/avatars/x.png");
        }

        var all = (await Storage.ScanAsync()).Select(i => i["email"].S).ToList();
        using var first = await api.Client.GetAsync("/users");
        var firstBody = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.InRange(firstBody.Length, 2, bound);
        var seen = JsonDocument.Parse(firstBody).RootElement.EnumerateArray().Select(u => u.GetProperty("email").GetString()!).ToList();
        Assert.InRange(seen.Count, 1, all.Count - 1);

        var next = NextLink(first);
        Assert.NotNull(next);
        while (next is not null)
        {
            using var response = await api.Client.GetAsync(new Uri(next, UriKind.Relative));
            var page = await HttpAssert.Json(response, HttpStatusCode.OK);
            seen.AddRange(page.EnumerateArray().Select(u => u.GetProperty("email").GetString()!));
            next = NextLink(response);
            Assert.True(seen.Count <= all.Count, "a user was listed twice");
        }

        Assert.Equal(all.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_limit_covering_everything_has_no_next_link()
    {
        var count = (await Storage.ScanAsync()).Count;
        using var response = await Client.GetAsync($"/users?limit={Math.Max(count, 1)}");
        var users = await HttpAssert.Json(response, HttpStatusCode.OK);
        Assert.Equal(count, users.GetArrayLength());
        Assert.Null(NextLink(response));
    }

    [Fact]
    public async Task A_list_carries_an_etag_and_if_none_match_with_it_is_304_until_a_registration_changes_it()
    {
        // One Scan page (the table is well under SCAN_PAGE_SIZE) is known whole before its first byte: it is tagged.
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["SCAN_PAGE_SIZE"] = "10000" });
        using var first = await api.Client.GetAsync("/users");
        var body = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.True(first.Headers.CacheControl?.NoCache, "Cache-Control: no-cache (store, but revalidate)");

        foreach (var ifNoneMatch in new[] { etag.ToString(), "W/" + etag.Tag, $"\"other\", {etag.Tag}", "*" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/users");
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            using var notModified = await api.Client.SendAsync(request);
            Assert.True(notModified.StatusCode == HttpStatusCode.NotModified, $"If-None-Match: {ifNoneMatch} answered {notModified.StatusCode}");
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag);
        }

        using (var again = await api.Client.GetAsync("/users"))
        {
            Assert.Equal(etag, again.Headers.ETag);
            Assert.Equal(body, await again.Content.ReadAsByteArrayAsync()); // a strong tag: the same bytes
        }

        var email = Images.UniqueEmail("etag");
        using (var created = await api.Client.PostAsync("/user", Images.Form("Tagged", email, Images.Png)))
        {
            await HttpAssert.Json(created, HttpStatusCode.Created);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/users");
        stale.Headers.IfNoneMatch.Add(etag);
        using var changed = await api.Client.SendAsync(stale);
        var users = await HttpAssert.Json(changed, HttpStatusCode.OK);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("email").GetString() == email);
    }

    [Fact]
    public async Task A_page_of_limit_carries_an_etag_and_if_none_match_with_it_is_304_with_its_link()
    {
        for (var i = 0; i < 3; i++)
        {
            await Storage.PutItemAsync(Images.UniqueEmail("tagged-page"), $"Tagged page {i}", "https://example.com/avatars/x.png");
        }

        using var page = await Client.GetAsync("/users?limit=2");
        await HttpAssert.Json(page, HttpStatusCode.OK);
        var etag = page.Headers.ETag;
        Assert.NotNull(etag);
        var link = NextLink(page);
        Assert.NotNull(link);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users?limit=2");
        request.Headers.IfNoneMatch.Add(etag);
        using var notModified = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Equal(link, NextLink(notModified));

        using var other = new HttpRequestMessage(HttpMethod.Get, "/users?limit=1");
        other.Headers.IfNoneMatch.Add(etag);
        using var differentPage = await Client.SendAsync(other);
        await HttpAssert.Json(differentPage, HttpStatusCode.OK);
        Assert.NotEqual(etag, differentPage.Headers.ETag);
    }

    [Theory]
    [InlineData("/users?limit=0", "limit")]
    [InlineData("/users?limit=1001", "limit")]
    [InlineData("/users?limit=ten", "limit")]
    [InlineData("/users?limit=5&cursor=not-a-cursor", "cursor")]
    [InlineData("/users?cursor=dTE6YUBleGFtcGxlLmNvbQ", "cursor")]
    public async Task Bad_paging_parameters_are_400(string url, string field)
    {
        using var response = await Client.GetAsync(new Uri(url, UriKind.Relative));
        await HttpAssert.FieldError(response, field);
    }

    // ---- Avatar URL modes ----------------------------------------------------------------------------

    [Fact]
    public async Task Presigned_mode_lists_working_short_lived_urls_and_keeps_the_stored_value()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["AVATAR_URL_MODE"] = "presigned" });
        var email = Images.UniqueEmail("presigned");
        using var created = await api.Client.PostAsync("/user", Images.Form("Presigned", email, Images.Png));
        var createdUrl = (await HttpAssert.Json(created, HttpStatusCode.Created)).GetProperty("avatar_url").GetString()!;

        using var list = await api.Client.GetAsync("/users");
        var users = await HttpAssert.Json(list, HttpStatusCode.OK);
        var listedUrl = users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == email).GetProperty("avatar_url").GetString()!;

        // The registration's answer and the list both give a signed link; the table keeps the plain address.
        Assert.Contains("X-Amz-Signature=", createdUrl, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", listedUrl, StringComparison.Ordinal);
        var storedUrl = (await Storage.ItemAsync(email))!["avatar_url"].S;
        Assert.DoesNotContain("X-Amz-", storedUrl, StringComparison.Ordinal);
        Assert.StartsWith(storedUrl + "?", listedUrl, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var anonymous = await http.GetAsync(new Uri(storedUrl));
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        using var signed = await http.GetAsync(new Uri(listedUrl));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(Images.Png, await signed.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Every_avatar_url_opens_in_presigned_mode_with_the_published_bytes()
    {
        // What make run, make lambda-local, the chart and the SAM templates give a client by default: links that open.
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["AVATAR_URL_MODE"] = "presigned" });
        var emails = new List<string>();
        var returned = new List<string>();
        foreach (var (image, name) in new[] { (Images.Png, "png"), (Images.Jpeg, "jpeg"), (Images.Gif, "gif"), (Images.WebP, "webp") })
        {
            var email = Images.UniqueEmail("opens-" + name);
            using var created = await api.Client.PostAsync("/user", Images.Form("Opens " + name, email, image));
            returned.Add((await HttpAssert.Json(created, HttpStatusCode.Created)).GetProperty("avatar_url").GetString()!);
            emails.Add(email);
        }

        using var list = await api.Client.GetAsync("/users");
        var listed = (await HttpAssert.Json(list, HttpStatusCode.OK)).EnumerateArray()
            .Where(u => emails.Contains(u.GetProperty("email").GetString()!))
            .Select(u => u.GetProperty("avatar_url").GetString()!).ToList();
        Assert.Equal(emails.Count, listed.Count);

        using var http = new HttpClient();
        foreach (var url in returned.Concat(listed))
        {
            using var response = await http.GetAsync(new Uri(url));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}");
            var key = AvatarUrls.KeyOf(url)!;
            using var stored = await Storage.S3.GetObjectAsync(Storage.BucketName, key);
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            Assert.Equal(bytes.ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Public_base_url_prefixes_the_key()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["AVATARS_PUBLIC_BASE_URL"] = "https://cdn.example.test/media/" });
        using var created = await api.Client.PostAsync("/user", Images.Form("Cdn", Images.UniqueEmail("cdn"), Images.Gif));
        var url = (await HttpAssert.Json(created, HttpStatusCode.Created)).GetProperty("avatar_url").GetString()!;
        Assert.Matches("^https://cdn\\.example\\.test/media/avatars/[0-9a-f]{32}\\.gif$", url);
    }

    // ---- Errors, health, docs ------------------------------------------------------------------------

    [Theory]
    [InlineData("GET", "/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/users", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/user", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PUT", "/user", HttpStatusCode.MethodNotAllowed)]
    public async Task Unknown_routes_and_wrong_methods_are_problem_details(string method, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await Client.SendAsync(request);
        await HttpAssert.Problem(response, expected);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        using var live = await Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ready = await Client.GetAsync("/health/ready");
        var body = await HttpAssert.Json(ready, HttpStatusCode.OK);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_document_is_served_and_swagger_ui_is_off_by_default()
    {
        using var document = await Client.GetAsync("/openapi/v1.json");
        var openApi = await HttpAssert.Json(document, HttpStatusCode.OK);
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/users", out var users) && users.TryGetProperty("get", out _));
        Assert.True(paths.TryGetProperty("/user", out var user) && user.TryGetProperty("post", out _));

        // What the endpoint metadata alone cannot say (ApiDocumentDetails): limit an integer with its range, the Link
        // and Retry-After headers, 429 on POST /user, the form's limits, and no .NET type names.
        var limit = users.GetProperty("get").GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal("integer", limit.GetProperty("type").GetString());
        Assert.Equal(1, limit.GetProperty("minimum").GetInt32());
        Assert.Equal(1000, limit.GetProperty("maximum").GetInt32());
        Assert.True(users.GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("Link", out _));
        var created = user.GetProperty("post").GetProperty("responses");
        Assert.Equal(["201", "400", "408", "409", "413", "415", "429", "500", "503"], created.EnumerateObject().Select(r => r.Name));
        Assert.True(created.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(created.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));
        var schemas = openApi.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["NewUser", "Problem", "User", "ValidationProblem"], schemas.EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal));
        var fields = schemas.GetProperty("NewUser").GetProperty("properties");
        Assert.Equal(100, fields.GetProperty("name").GetProperty("maxLength").GetInt32());
        Assert.Equal(254, fields.GetProperty("email").GetProperty("maxLength").GetInt32());
        Assert.Contains("4194304 bytes", fields.GetProperty("avatar").GetProperty("description").GetString(), StringComparison.Ordinal);

        // GET /users: If-None-Match in, ETag out, 304 documented.
        var list = users.GetProperty("get");
        Assert.Contains(list.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "If-None-Match" && p.GetProperty("in").GetString() == "header");
        var responses = list.GetProperty("responses");
        Assert.True(responses.TryGetProperty("304", out var notModified), "a 304 response");
        Assert.True(notModified.TryGetProperty("headers", out var notModifiedHeaders) && notModifiedHeaders.TryGetProperty("ETag", out _));
        Assert.True(responses.GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
        Assert.True(responses.GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _));

        foreach (var path in new[] { "/swagger", "/swagger/index.html", "/swagger/index.js" })
        {
            using var ui = await Client.GetAsync(path);
            await HttpAssert.Problem(ui, HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Swagger_ui_is_served_when_turned_on()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["SWAGGER_UI_ENABLED"] = "true" });

        using var ui = await api.Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger", await ui.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    // ---- Failing dependencies ------------------------------------------------------------------------

    [Fact]
    public async Task Upload_failure_writes_no_item_and_answers_503()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["AVATARS_BUCKET_NAME"] = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8] });
        var email = Images.UniqueEmail("nobucket");

        using var response = await api.Client.PostAsync("/user", Images.Form("No bucket", email, Images.Png));

        await HttpAssert.Problem(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Null(await Storage.ItemAsync(email));
    }

    [Fact]
    public async Task DynamoDB_failure_after_upload_deletes_the_object_and_answers_503()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["USERS_TABLE_NAME"] = "no-such-table-" + Guid.NewGuid().ToString("N")[..8] });
        var objectsBefore = await Storage.ObjectKeysAsync();

        using var response = await api.Client.PostAsync("/user", Images.Form("No table", Images.UniqueEmail("notable"), Images.Png));

        await HttpAssert.Problem(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(objectsBefore.Order(), (await Storage.ObjectKeysAsync()).Order());
    }

    [Fact]
    public async Task Stopped_backend_gives_503_quickly_then_service_resumes_without_restart()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string>());
        var client = api.Client;
        try
        {
            Fixture.Backend.Stop();

            var watch = Stopwatch.StartNew();
            using (var list = await client.GetAsync("/users"))
            {
                watch.Stop();
                await HttpAssert.Problem(list, HttpStatusCode.ServiceUnavailable);
                Assert.NotNull(list.Headers.RetryAfter);
                // Quickly: within the retry budget (3 attempts of at most 3 s) and API Gateway's 29 s, not the SDK's
                // default 100 s timeout; refused connections take milliseconds, the margin is for a busy CI machine
                // (11.7 s seen on the Lambda path at load average 16).
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
            }

            var email = Images.UniqueEmail("down");
            using (var create = await client.PostAsync("/user", Images.Form("Down", email, Images.Png)))
            {
                await HttpAssert.Problem(create, HttpStatusCode.ServiceUnavailable);
            }

            await Wait.Until(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15), "readiness to report the outage");
            using (var live = await client.GetAsync("/health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            Fixture.Backend.Start();

            await Wait.Until(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "readiness to recover");
            using var again = await client.PostAsync("/user", Images.Form("Back", email, Images.Png));
            await HttpAssert.Json(again, HttpStatusCode.Created);
        }
        finally
        {
            Fixture.Backend.Start();
        }
    }

    [Fact]
    public async Task Hung_backend_gives_503_within_10_seconds()
    {
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string>());
        try
        {
            // The bound is the service's, not the host's start: a Lambda function starts on its first invocation
            // (a cold start of 2–3 s on a loaded machine), so one request is served before the backend hangs.
            using (var warm = await api.Client.GetAsync("/health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            }

            Fixture.Backend.BlackHole();

            var watch = Stopwatch.StartNew();
            using var response = await api.Client.PostAsync("/user", Images.Form("Hung", Images.UniqueEmail("hung"), Images.Png));
            watch.Stop();

            await HttpAssert.Problem(response, HttpStatusCode.ServiceUnavailable);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        }
        finally
        {
            Fixture.Backend.Start();
        }
    }

    protected static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        var link = Assert.Single(values);
        Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
        Assert.Contains("cursor=", link, StringComparison.Ordinal);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }
}

/// <summary>The contract on Kestrel, in this process.</summary>
public sealed class KestrelContractTests(KestrelApiFixture fixture) : KestrelHostContract<KestrelApiFixture>(fixture);

/// <summary>The contract plus what only Kestrel does (streaming the list), on any Kestrel host: in this process or its own.</summary>
public abstract class KestrelHostContract<TFixture>(TFixture fixture) : UsersApiContract<TFixture>(fixture)
    where TFixture : ApiFixture
{
    [Fact]
    public async Task A_list_of_several_scan_pages_is_streamed_untagged_and_a_snapshot_of_it_is_tagged_until_a_registration_here()
    {
        for (var i = 0; i < 5; i++)
        {
            await Storage.PutItemAsync(Images.UniqueEmail("snapshot"), $"Snapshot {i}", "https://example.com/avatars/x.png");
        }

        await using (var streaming = await Fixture.StartApiAsync(new Dictionary<string, string> { ["SCAN_PAGE_SIZE"] = "2" }))
        {
            using var streamed = await streaming.Client.GetAsync("/users");
            await HttpAssert.Json(streamed, HttpStatusCode.OK);
            Assert.Null(streamed.Headers.ETag); // not known before the first byte
            Assert.True(streamed.Headers.TransferEncodingChunked, "written page by page (chunked)");
        }

        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["SCAN_PAGE_SIZE"] = "2", ["LIST_SNAPSHOT_SECONDS"] = "300" });
        using (var pass = await api.Client.GetAsync("/users"))
        {
            await HttpAssert.Json(pass, HttpStatusCode.OK);
        }

        // The pass became the snapshot: served whole, so tagged, and 304 to its tag; no Scan would see a write made
        // behind its back (the emulator directly), but a registration on this instance ends the snapshot.
        using var fromSnapshot = await api.Client.GetAsync("/users");
        var snapshotUsers = await HttpAssert.Json(fromSnapshot, HttpStatusCode.OK);
        var etag = fromSnapshot.Headers.ETag;
        Assert.NotNull(etag);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/users"))
        {
            request.Headers.IfNoneMatch.Add(etag);
            using var notModified = await api.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var behindItsBack = Images.UniqueEmail("behind");
        await Storage.PutItemAsync(behindItsBack, "Behind", "https://example.com/avatars/x.png");
        using (var stale = await api.Client.GetAsync("/users"))
        {
            var users = await HttpAssert.Json(stale, HttpStatusCode.OK);
            Assert.Equal(snapshotUsers.GetArrayLength(), users.GetArrayLength());
        }

        var email = Images.UniqueEmail("registered-here");
        using (var created = await api.Client.PostAsync("/user", Images.Form("Here", email, Images.Png)))
        {
            await HttpAssert.Json(created, HttpStatusCode.Created);
        }

        using var after = await api.Client.GetAsync("/users");
        var listed = (await HttpAssert.Json(after, HttpStatusCode.OK)).EnumerateArray().Select(u => u.GetProperty("email").GetString()).ToList();
        Assert.Contains(email, listed);
        Assert.Contains(behindItsBack, listed);
    }

    [Fact]
    public async Task A_list_that_fails_after_its_first_bytes_is_cut_off_never_ended_as_a_shorter_array()
    {
        // One user per Scan page, one write per page: the array is on the wire long before the scan ends.
        await using var api = await Fixture.StartApiAsync(new Dictionary<string, string> { ["SCAN_PAGE_SIZE"] = "1" });
        for (var i = 0; i < 300; i++)
        {
            await Storage.PutItemAsync(Images.UniqueEmail("streamed"), $"Streamed {i}", "https://example.com/avatars/x.png");
        }

        try
        {
            using var response = await api.Client.GetAsync("/users", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentLength);
            Fixture.Backend.BlackHole();

            // The next Scan hangs until the request timeout (ApiOptions.RequestTimeout, 6.5 s); the server then
            // resets the connection. Only that counts: a cut connection well before the client gives up (30 s) or the
            // test's own bound, not a timeout of either, and not a body that ended as a shorter array.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var watch = Stopwatch.StartNew();
            var error = await Record.ExceptionAsync(async () =>
            {
                var body = await response.Content.ReadAsByteArrayAsync(bound.Token);
                JsonDocument.Parse(body); // reached only if the body ended: it must not parse as a whole array
            });
            Assert.True(error is HttpRequestException or IOException, $"expected the connection to be cut (HttpRequestException or IOException), got {error?.GetType().Name ?? "a body that ended"} after {watch.Elapsed}: {error}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"cut off after {watch.Elapsed}, expected soon after the request timeout");
        }
        finally
        {
            Fixture.Backend.Start();
        }
    }
}
