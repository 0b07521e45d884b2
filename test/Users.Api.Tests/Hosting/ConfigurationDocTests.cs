using System.Reflection;
using System.Text.RegularExpressions;
using Users.Api.Tests.Infrastructure;
using Users.Functions.Settings;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// docs/configuration.md and the settings code agree: every setting <c>SettingsReader</c> reads (its public constants
/// and the names it reads directly, in src/Users.Functions/Settings/) has a row in the document, and every row of its
/// "Service settings" table is a setting the code reads.
/// </summary>
public sealed partial class ConfigurationDocTests
{
    private const string Document = "docs/configuration.md";

    [Fact]
    public void Every_setting_the_code_reads_has_a_row_in_the_configuration_document()
    {
        var documented = DocumentedNames(File.ReadAllText(RepoPaths.Of(Document)));
        var missing = CodeSettings().Where(name => !documented.All.Contains(name)).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0,
            $"{Document} does not document {string.Join(", ", missing)}, which src/Users.Functions/Settings/ reads. " +
            $"Add a row for each to the 'Service settings' table of {Document}:\n" +
            string.Join('\n', missing.Select(name => $"| `{name}` | <default> | <what it does, its range, and what happens beyond it> |")));
    }

    [Fact]
    public void Every_row_of_the_service_settings_table_is_a_setting_the_code_reads()
    {
        var documented = DocumentedNames(File.ReadAllText(RepoPaths.Of(Document)));
        var read = CodeSettings();
        var stale = documented.Service.Where(name => !read.Contains(name)).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(documented.Service);
        Assert.True(stale.Count == 0,
            $"{Document}'s 'Service settings' table lists {string.Join(", ", stale)}, which src/Users.Functions/Settings/ does not read: " +
            "remove the row, or read the setting in SettingsReader.");
    }

    [Fact]
    public void The_document_parser_finds_names_in_both_tables()
    {
        var names = DocumentedNames("""
            ## Service settings
            | variable | default | meaning |
            |---|---|---|
            | `ONE_SETTING` | `1` | x |
            ## Platform and SDK settings
            | variable | default | meaning |
            |---|---|---|
            | `TWO_A`, `TWO_B` | unset | y `NOT_A_ROW` |
            """);
        Assert.Equal(["ONE_SETTING"], names.Service);
        Assert.Equal(["ONE_SETTING", "TWO_A", "TWO_B"], names.All.Order(StringComparer.Ordinal));
    }

    /// <summary>SettingsReader's public constants that name a variable, and the variables its code reads by name.</summary>
    private static HashSet<string> CodeSettings()
    {
        var names = typeof(SettingsReader).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(v => VariableName().IsMatch(v))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Of("src/Users.Functions/Settings"), "*.cs"))
        {
            foreach (var line in File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)))
            {
                foreach (Match match in QuotedVariable().Matches(line))
                {
                    names.Add(match.Groups[1].Value);
                }
            }
        }

        Assert.Contains(SettingsReader.TableName, names); // the reflection found the constants at all
        return names;
    }

    /// <summary>The backquoted names in the first cell of each table row: the "Service settings" table's and all.</summary>
    private static (List<string> Service, HashSet<string> All) DocumentedNames(string markdown)
    {
        var service = new List<string>();
        var all = new HashSet<string>(StringComparer.Ordinal);
        var section = string.Empty;
        foreach (var line in markdown.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..];
                continue;
            }

            if (!line.StartsWith("| `", StringComparison.Ordinal))
            {
                continue;
            }

            var firstCell = line.Split('|')[1];
            foreach (Match match in BackquotedVariable().Matches(firstCell))
            {
                all.Add(match.Groups[1].Value);
                if (section == "Service settings")
                {
                    service.Add(match.Groups[1].Value);
                }
            }
        }

        return (service, all);
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")]
    private static partial Regex VariableName();

    [GeneratedRegex("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\"")]
    private static partial Regex QuotedVariable();

    [GeneratedRegex("`([A-Za-z][A-Za-z0-9]*(?:_{1,2}[A-Za-z0-9]+)+)`")]
    private static partial Regex BackquotedVariable();
}
