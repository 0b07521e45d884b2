using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Users.Lambda.Tests")]
