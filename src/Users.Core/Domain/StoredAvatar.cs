namespace Users.Core.Domain;

/// <summary>An avatar image as the store holds it: its key and when it was last written (the store's own clock).</summary>
public sealed record StoredAvatar(string Key, DateTimeOffset LastModified);
