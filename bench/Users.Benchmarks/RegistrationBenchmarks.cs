using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Users.Core.Domain;
using Users.Functions.Http;
using Users.Functions.Settings;

namespace Users.Benchmarks;

/// <summary>
/// <c>POST /user</c> before storage: the multipart form read by <see cref="MultipartUserForm"/> as the endpoint reads it,
/// then what CreateUser checks before any upload (<see cref="NewUserValidator"/>, <see cref="AvatarFormat.Detect"/>).
/// </summary>
[MemoryDiagnoser]
public class RegistrationBenchmarks
{
    private const string Boundary = "------------------------d74496d66958873e";
    private const string Name = "Ada Lovelace";
    private const string Email = "  Ada.Lovelace@Example.com ";
    private static readonly string ContentType = $"multipart/form-data; boundary={Boundary}";
    private static readonly TimeSpan FormReadTimeout = new AdmissionOptions().FormReadTimeout;
    private byte[] body = [];
    private byte[] avatar = [];

    /// <summary>Size of the PNG in the form, for the report.</summary>
    public int AvatarBytes => avatar.Length;

    [GlobalSetup]
    public void Setup()
    {
        avatar = Inputs.Png();
        body = Inputs.MultipartForm(Boundary, Name, Email, avatar);
    }

    [Benchmark]
    public async Task<object> ReadForm() => await MultipartUserForm.ReadAsync(NewRequest(), ApiOptions.DefaultAvatarMaxBytes, FormReadTimeout, CancellationToken.None);

    [Benchmark]
    public object? ValidateAndSniff()
    {
        var validation = NewUserValidator.Validate(Name, Email, avatar.Length);
        return validation.IsValid ? AvatarFormat.Detect(avatar) : null;
    }

    /// <summary>The two together, as one registration goes through them (form, then validation, then the format).</summary>
    [Benchmark]
    public async Task<object?> ReadFormValidateAndSniff()
    {
        var form = (FormReadResult.Read)await MultipartUserForm.ReadAsync(NewRequest(), ApiOptions.DefaultAvatarMaxBytes, FormReadTimeout, CancellationToken.None);
        var validation = NewUserValidator.Validate(form.Name, form.Email, form.Avatar?.Length);
        return validation.IsValid ? AvatarFormat.Detect(form.Avatar!.Value.Span) : null;
    }

    private HttpRequest NewRequest()
    {
        var request = new DefaultHttpContext().Request;
        request.Method = HttpMethods.Post;
        request.Path = "/user";
        request.ContentType = ContentType;
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
        return request;
    }
}
