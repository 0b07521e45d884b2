using System.Text.Json.Serialization;
using Users.Core.Domain;

namespace Users.Functions.Endpoints;

/// <summary>A user as the API shows it: exactly <c>avatar_url</c>, <c>email</c> and <c>name</c>.</summary>
public sealed record UserResponse(
    [property: JsonPropertyName("avatar_url")] string AvatarUrl,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string Name)
{
    public static UserResponse From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new UserResponse(user.AvatarUrl, user.Email, user.Name);
    }
}

[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(List<UserResponse>))]
internal sealed partial class UsersJsonContext : JsonSerializerContext;
