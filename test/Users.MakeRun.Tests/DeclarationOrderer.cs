using Xunit.Abstractions;
using Xunit.Sdk;

namespace Users.MakeRun.Tests;

/// <summary>
/// Runs a class's tests in the order they are written (their metadata tokens): each step of a `make run` session
/// acts on what the one before left, as the user who types them in turn.
/// </summary>
public sealed class DeclarationOrderer : ITestCaseOrderer
{
    public const string TypeName = "Users.MakeRun.Tests.DeclarationOrderer";
    public const string AssemblyName = "Users.MakeRun.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(c => c.TestMethod.Method is IReflectionMethodInfo m ? m.MethodInfo.MetadataToken : int.MaxValue);
}
