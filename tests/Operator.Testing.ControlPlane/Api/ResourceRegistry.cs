using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>The set of served resources: built-ins plus the versions of every installed CRD.</summary>
public sealed class ResourceRegistry
{
    private readonly Lock _gate = new();
    private readonly List<ResourceType> _builtIn = [.. BuiltInResources.All()];
    private Dictionary<string, List<ResourceType>> _custom = [];

    /// <summary>Raised after the set of served resources changed (a CRD was installed or removed).</summary>
    public event Action? Changed;

    public IReadOnlyList<ResourceType> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _builtIn, .. _custom.Values.SelectMany(v => v)];
            }
        }
    }

    public ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public ResourceType? FindKind(string apiVersion, string kind)
    {
        var (group, version) = SplitApiVersion(apiVersion);
        return All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Kind == kind);
    }

    public IReadOnlyList<ResourceType> VersionsOf(string storageKey) =>
        All.Where(t => t.StorageKey == storageKey).ToList();

    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    /// <summary>Serves (or re-serves) the versions of a CRD.</summary>
    public void Install(JsonObject crd)
    {
        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        var types = CrdTypes.FromCrd(crd);
        lock (_gate)
        {
            var next = new Dictionary<string, List<ResourceType>>(_custom) { [name] = types };
            _custom = next;
        }

        Changed?.Invoke();
    }

    public void Uninstall(string crdName)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, List<ResourceType>>(_custom);
            next.Remove(crdName);
            _custom = next;
        }

        Changed?.Invoke();
    }
}
