namespace Users.Core.Domain;

/// <summary>A registered user. The e-mail address (normalised to lower case) is the identity.</summary>
/// <param name="Name">Display name, trimmed, 1–100 characters.</param>
/// <param name="Email">Normalised e-mail address: trimmed and lower-cased.</param>
/// <param name="AvatarUrl">Where the avatar image can be fetched (as stored; readers may be handed a presigned URL instead).</param>
public sealed record User(string Name, string Email, string AvatarUrl);
