namespace Users.Core.Domain;

/// <summary>A paging cursor that this service did not issue, or that was altered.</summary>
public sealed class InvalidCursorException : Exception
{
    public InvalidCursorException()
        : base("The cursor is not valid.")
    {
    }

    public InvalidCursorException(string message)
        : base(message)
    {
    }

    public InvalidCursorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
