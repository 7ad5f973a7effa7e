using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>Turns an apiextensions.k8s.io/v1 CustomResourceDefinition into the resource types it serves.</summary>
internal static class CrdTypes
{
    public static List<ResourceType> FromCrd(JsonObject crd)
    {
        var spec = crd["spec"]?.AsObject() ?? throw Status.BadRequest("CustomResourceDefinition has no spec");
        var group = spec["group"]?.GetValue<string>() ?? "";
        var names = spec["names"]?.AsObject() ?? new JsonObject();
        var plural = names["plural"]?.GetValue<string>() ?? "";
        var kind = names["kind"]?.GetValue<string>() ?? "";
        var singular = names["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant();
        var shortNames = Strings(names["shortNames"]);
        var categories = Strings(names["categories"]);
        var namespaced = (spec["scope"]?.GetValue<string>() ?? "Namespaced") == "Namespaced";
        var result = new List<ResourceType>();
        foreach (var versionNode in spec["versions"]?.AsArray() ?? [])
        {
            var version = versionNode!.AsObject();
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            var columns = new List<PrinterColumn>();
            var printerColumns = version["additionalPrinterColumns"]?.AsArray();
            if (printerColumns is null)
            {
                columns.Add(new PrinterColumn("Age", "date", ".metadata.creationTimestamp", "CreationTimestamp is a timestamp representing the server time when this object was created."));
            }
            else
            {
                foreach (var c in printerColumns)
                {
                    columns.Add(new PrinterColumn(
                        c!["name"]?.GetValue<string>() ?? "",
                        c["type"]?.GetValue<string>() ?? "string",
                        c["jsonPath"]?.GetValue<string>() ?? "",
                        c["description"]?.GetValue<string>() ?? "",
                        c["priority"]?.GetValue<int>() ?? 0,
                        c["format"]?.GetValue<string>() ?? ""));
                }
            }

            result.Add(new ResourceType
            {
                Group = group,
                Version = version["name"]?.GetValue<string>() ?? "",
                Plural = plural,
                Singular = singular,
                Kind = kind,
                Namespaced = namespaced,
                ShortNames = shortNames,
                Categories = categories,
                HasStatus = version["subresources"]?["status"] is not null,
                IsCustom = true,
                Schema = version["schema"]?["openAPIV3Schema"]?.DeepClone().AsObject(),
                Columns = columns,
                AllowUnconditionalUpdate = false,
            });
        }

        return result;
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [];
}
