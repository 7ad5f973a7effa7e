using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>A parsed resource URL: <c>/api/v1/[watch/][namespaces/{ns}/]{resource}[/{name}[/{subresource}]]</c>.</summary>
internal sealed record RequestTarget(ResourceType Type, string? Namespace, string? Name, string? Subresource, bool LegacyWatch)
{
    public static RequestTarget? Parse(ResourceRegistry registry, string group, string version, string[] segments)
    {
        var legacyWatch = false;
        if (segments.Length > 0 && segments[0] == "watch")
        {
            legacyWatch = true;
            segments = segments[1..];
        }

        if (segments.Length == 0)
        {
            return null;
        }

        string? ns = null;
        if (segments.Length >= 3 && segments[0] == "namespaces" && registry.Find(group, version, segments[2]) is { Namespaced: true })
        {
            ns = segments[1];
            segments = segments[2..];
        }

        var type = registry.Find(group, version, segments[0]);
        if (type is null || segments.Length > 3)
        {
            return null;
        }

        if (type.Namespaced && ns is null && segments.Length > 1)
        {
            return null;
        }

        return new RequestTarget(type, ns, segments.Length > 1 ? segments[1] : null, segments.Length > 2 ? segments[2] : null, legacyWatch);
    }
}
