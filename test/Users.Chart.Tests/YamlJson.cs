using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Users.Chart.Tests;

/// <summary>Converts a YAML values file to JSON with Helm's (YAML 1.1 core) scalar typing, for JSON-Schema validation.</summary>
internal static partial class YamlJson
{
    public static JsonNode? Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Count == 0 ? new JsonObject() : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => Mapping(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };

    /// <summary>A mapping, with YAML merge keys (<c>&lt;&lt;: *anchor</c>) expanded: explicit keys win.</summary>
    private static JsonObject Mapping(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            if (name != "<<")
            {
                result[name] = Convert(value);
            }
        }

        foreach (var (key, value) in map.Children)
        {
            if (((YamlScalarNode)key).Value != "<<")
            {
                continue;
            }

            var sources = value is YamlSequenceNode many ? many.Children : [value];
            foreach (var source in sources.OfType<YamlMappingNode>())
            {
                foreach (var (mergedKey, mergedValue) in Mapping(source))
                {
                    if (!result.ContainsKey(mergedKey))
                    {
                        result[mergedKey] = mergedValue?.DeepClone();
                    }
                }
            }
        }

        return result;
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when Integer().IsMatch(value) => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
            _ when Float().IsMatch(value) => JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(value),
        };
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
