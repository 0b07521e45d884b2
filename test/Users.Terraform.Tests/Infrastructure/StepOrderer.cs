using Xunit.Abstractions;
using Xunit.Sdk;

namespace Users.Terraform.Tests.Infrastructure;

/// <summary>The place of a test in a class whose tests change shared state in turn (read, re-apply, use, destroy).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}

/// <summary>Runs a class's tests by <see cref="StepAttribute"/>, then by name.</summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "Users.Terraform.Tests.Infrastructure.StepOrderer";
    public const string AssemblyName = "Users.Terraform.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases
            .OrderBy(c => c.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName).FirstOrDefault()?.GetConstructorArguments().OfType<int>().First()
                ?? int.MaxValue)
            .ThenBy(c => c.TestMethod.Method.Name, StringComparer.Ordinal);
}
