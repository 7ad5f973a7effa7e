using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>
/// core/v1 Event ⇄ events.k8s.io/v1 Event, the field renames the real server's conversion applies
/// (both are one stored resource, so either API sees the other's writes).
/// </summary>
internal static class EventConversion
{
    private static readonly (string Core, string EventsV1)[] Renames =
    [
        ("involvedObject", "regarding"),
        ("message", "note"),
        ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
    ];

    public static JsonObject CoreToEventsV1(JsonObject core) => Convert(core, toEventsV1: true, "events.k8s.io/v1");

    public static JsonObject EventsV1ToCore(JsonObject events) => Convert(events, toEventsV1: false, "v1");

    private static JsonObject Convert(JsonObject source, bool toEventsV1, string apiVersion)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            var rename = Renames.FirstOrDefault(r => (toEventsV1 ? r.Core : r.EventsV1) == key);
            var target = rename == default ? key : toEventsV1 ? rename.EventsV1 : rename.Core;
            result[target] = value?.DeepClone();
        }

        result["apiVersion"] = apiVersion;
        result["kind"] = "Event";
        return result;
    }
}
