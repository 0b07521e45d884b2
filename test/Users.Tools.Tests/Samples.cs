using System.Xml.Linq;

namespace Users.Tools.Tests;

/// <summary>Result files shaped as the runners write them.</summary>
internal static class Samples
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>A TRX file as VSTest's logger writes it: results by test id, definitions naming the class (LambdaContractTests).</summary>
    public static string Trx(string summary, params (string Method, string Outcome)[] tests)
    {
        const string cls = "Users.Api.Tests.Contract.LambdaContractTests";
        var ids = tests.Select(_ => Guid.NewGuid().ToString()).ToArray();
        return new XDocument(new XElement(
            Ns + "TestRun",
            new XElement(Ns + "Results", tests.Select((t, i) => new XElement(
                Ns + "UnitTestResult",
                new XAttribute("testId", ids[i]),
                new XAttribute("testName", $"{cls}.{t.Method}"),
                new XAttribute("outcome", t.Outcome)))),
            new XElement(Ns + "TestDefinitions", tests.Select((t, i) => new XElement(
                Ns + "UnitTest",
                new XAttribute("name", $"{cls}.{t.Method}"),
                new XAttribute("id", ids[i]),
                new XElement(Ns + "TestMethod", new XAttribute("className", cls), new XAttribute("name", t.Method))))),
            new XElement(Ns + "ResultSummary", new XAttribute("outcome", summary)))).ToString();
    }
}
