using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>Builders for the <c>Status</c> bodies the real API server answers errors with.</summary>
public static class Status
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Success(ResourceType type, string name) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = Details(type, name),
    };

    public static JsonObject Details(ResourceType type, string? name, string? kind = null)
    {
        var details = new JsonObject();
        if (!string.IsNullOrEmpty(name))
        {
            details["name"] = name;
        }

        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = kind ?? type.Plural;
        return details;
    }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.GroupResource} \"{name}\" not found", Details(type, name));

    public static ApiException NamespaceNotFound(string ns) =>
        new(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists", Details(type, name));

    public static ApiException Conflict(ResourceType type, string name, string detail = "the object has been modified; please apply your changes to the latest version and try again") =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.GroupResource} \"{name}\": {detail}", Details(type, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message = "the server does not allow this method on the requested resource") =>
        new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}");

    public static ApiException NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource");

    /// <summary>422 for a patch that cannot be applied (the real server answers these as Invalid without causes).</summary>
    public static ApiException Invalid422(string message) => new(422, "Invalid", message);

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>422 Invalid, with one cause per field error, formatted like apimachinery's <c>NewInvalid</c>.</summary>
    public static ApiException Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        var rendered = errors.Select(e => e.ToString()).ToList();
        var summary = rendered.Count == 1 ? rendered[0] : $"[{string.Join(", ", rendered)}]";
        var causes = new JsonArray();
        foreach (var error in errors)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = error.Reason,
                ["message"] = error.Message,
                ["field"] = error.Field,
            });
        }

        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        details["causes"] = causes;
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {summary}", details);
    }
}
