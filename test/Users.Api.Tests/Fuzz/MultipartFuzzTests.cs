using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Http;
using Users.Api.Tests.Infrastructure;
using Users.Functions.Http;

namespace Users.Api.Tests.Fuzz;

/// <summary>
/// The multipart reader, alone and through the whole Kestrel pipeline against moto: whatever the body and its
/// Content-Type, the answer is a 4xx or a 201, never a 500 or an exception, and nothing but a 201 writes anything.
/// </summary>
public sealed class MultipartFuzzTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    private const string Boundary = "fz-boundary";

    /// <summary>A registration form, valid or not, before mutation: parts in any order, repeated, unknown, odd headers.</summary>
    private static Gen<byte[]> Form()
    {
        var avatar =
            from signature in Gen.Elements<byte[]>(Images.Png, Images.Gif, Images.Jpeg, Images.WebP, Images.Svg, [])
            from extra in Gen.Choose(0, 2000).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
            select (byte[])[.. signature, .. extra];
        var part = Gen.OneOf(
            Mutations.Text().Select(v => Part("name", null, Encoding.UTF8.GetBytes(v ?? string.Empty))),
            Gen.Elements("a@b.co", "fuzz@example.com", "bad").Select(v => Part("email", null, Encoding.UTF8.GetBytes(v))),
            avatar.Select(bytes => Part("avatar", "face.png", bytes)),
            Mutations.Text().Select(v => Part(v ?? "x", null, "x"u8.ToArray())),
            Gen.Constant(Mutations.Ascii("Content-Type: text/plain\r\n\r\nno disposition")));
        return
            from parts in Gen.Choose(0, 24).SelectMany(n => Gen.ListOf(part, n))
            from closed in ArbMap.Default.GeneratorFor<bool>()
            select Body(parts, closed);
    }

    private static byte[] Part(string name, string? fileName, byte[] content) =>
        [.. Mutations.Ascii($"Content-Disposition: form-data; name=\"{name}\"{(fileName is null ? string.Empty : $"; filename=\"{fileName}\"")}\r\n\r\n"), .. content];

    private static byte[] Body(IEnumerable<byte[]> parts, bool closed)
    {
        var body = new List<byte>();
        foreach (var part in parts)
        {
            body.AddRange(Mutations.Ascii($"--{Boundary}\r\n"));
            body.AddRange(part);
            body.AddRange("\r\n"u8.ToArray());
        }

        if (closed)
        {
            body.AddRange(Mutations.Ascii($"--{Boundary}--\r\n"));
        }

        return [.. body];
    }

    private static Gen<string> ContentType() => Gen.Frequency(
        (8, Gen.Constant($"multipart/form-data; boundary={Boundary}")),
        (1, Gen.Constant($"multipart/form-data; boundary=\"{Boundary}\"")),
        (1, Gen.Elements("multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=" + new string('b', 71),
            "multipart/mixed; boundary=" + Boundary, "application/json", "text/plain; charset=utf-8", "multipart/form-data; boundary=\"unterminated")));

    private static Gen<(string ContentType, byte[] Body)> Requests() =>
        from contentType in ContentType()
        from form in Form()
        from body in Mutations.Mutate(form, Mutations.Ascii($"\r\n--{Boundary}\r\n"), Mutations.Ascii($"\r\n--{Boundary}--"), "\r\n\r\n"u8.ToArray())
        select (contentType, body);

    [Fact]
    public void The_reader_turns_any_body_into_a_result_and_never_throws()
    {
        FuzzRun.Check(Prop.ForAll(Requests().ToArbitrary(), request =>
        {
            var context = new DefaultHttpContext();
            context.Request.ContentType = request.ContentType;
            context.Request.ContentLength = request.Body.Length;
            context.Request.Body = new MemoryStream(request.Body);

            var result = MultipartUserForm.ReadAsync(context.Request, avatarMaxBytes: 1024, TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult();
            return result switch
            {
                FormReadResult.Read read => read.Avatar is not { Length: > 1024 },
                FormReadResult.Malformed malformed => !string.IsNullOrWhiteSpace(malformed.Detail),
                FormReadResult.InvalidFields invalid => invalid.Errors.Count > 0,
                FormReadResult.NotMultipart or FormReadResult.AvatarTooLarge => true,
                _ => false,
            };
        }));
    }

    [Fact]
    public async Task Through_the_api_any_body_gets_a_4xx_or_a_201_and_only_a_201_writes()
    {
        var allowed = new[] { HttpStatusCode.Created, HttpStatusCode.BadRequest, HttpStatusCode.Conflict, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType };
        var cases = Requests().Sample(Math.Max(10, FuzzRun.Iterations / 3), size: 100);
        foreach (var (contentType, body) in cases)
        {
            var objectsBefore = (await fixture.Storage.ObjectKeysAsync()).Count;
            var itemsBefore = (await fixture.Storage.ScanAsync()).Count;

            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var response = await fixture.Client.PostAsync("/user", content);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(allowed.Contains(response.StatusCode), $"{(int)response.StatusCode} for Content-Type '{contentType}' and body {Convert.ToBase64String(body)}: {text}");
            var written = response.StatusCode == HttpStatusCode.Created ? 1 : 0;
            Assert.Equal(objectsBefore + written, (await fixture.Storage.ObjectKeysAsync()).Count);
            Assert.Equal(itemsBefore + written, (await fixture.Storage.ScanAsync()).Count);
        }
    }
}
