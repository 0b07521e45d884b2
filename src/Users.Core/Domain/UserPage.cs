namespace Users.Core.Domain;

/// <summary>One page of users and, while more remain, an opaque cursor for the next page.</summary>
public sealed record UserPage(IReadOnlyList<User> Users, string? NextCursor);
