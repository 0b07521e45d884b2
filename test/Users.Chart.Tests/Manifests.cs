using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Users.Chart.Tests;

/// <summary>
/// The objects of one `helm template` output, each loaded strictly (unknown fields fail) into the
/// KubernetesClient models; the Prometheus Operator's ServiceMonitor and PrometheusRule into <see cref="ServiceMonitor"/> and <see cref="PrometheusRule"/>.
/// </summary>
internal sealed partial class Manifests
{
    private static readonly Dictionary<string, Type> ExtraTypes = new()
    {
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule),
    };

    private Manifests(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects) => Objects = objects;

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public static Manifests Load(string yaml)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var document in DocumentSeparator().Split(yaml))
        {
            var meaningful = document.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'));
            if (!meaningful)
            {
                continue;
            }

            foreach (var loaded in KubernetesYaml.LoadAllFromString(document, ExtraTypes, strict: true))
            {
                objects.Add(loaded as IKubernetesObject<V1ObjectMeta>
                    ?? throw new InvalidOperationException($"unexpected object {loaded?.GetType()} in:\n{document}"));
            }
        }

        return new Manifests(objects);
    }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>()
    {
        var found = Objects.OfType<T>().ToList();
        Assert.True(found.Count == 1, $"expected one {typeof(T).Name}, found {found.Count}");
        return found[0];
    }

    /// <summary>The one object of this kind and name (e.g. the API's NetworkPolicy beside the sweep's).</summary>
    public T Named<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var found = Objects.OfType<T>().Where(o => o.Metadata.Name == name).ToList();
        Assert.True(found.Count == 1, $"expected one {typeof(T).Name} named {name}, found {found.Count}");
        return found[0];
    }

    public bool Has<T>() => Objects.OfType<T>().Any();

    /// <summary>Non-hook objects (what `helm install` applies), i.e. without the helm.sh/hook annotation.</summary>
    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Workload =>
        Objects.Where(o => o.Metadata.Annotations is null || !o.Metadata.Annotations.ContainsKey("helm.sh/hook"));

    public IEnumerable<V1Pod> TestHooks =>
        All<V1Pod>().Where(p => p.Metadata.Annotations is not null && p.Metadata.Annotations.TryGetValue("helm.sh/hook", out var hook) && hook == "test");

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
