using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;
using RemoteWorkloadOperator.Testing.ControlPlane.Faults;
using RemoteWorkloadOperator.Testing.ControlPlane.Security;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>The HTTP front of the emulator: authentication, routing, RBAC, verbs, content negotiation, watch streaming.</summary>
internal sealed class ApiServer(
    ResourceOperations operations,
    TokenAuthenticator authenticator,
    RbacAuthorizer authorizer,
    ControlPlaneFaults faults,
    LocalControlPlaneOptions options,
    OwnerReferencesAdmission? ownerReferencesAdmission,
    CancellationToken stopping)
{
    private readonly ObjectStore _store = operations.Store;
    private readonly ResourceRegistry _registry = operations.Registry;
    private readonly ServiceAccountTokenRoutes _serviceAccountTokens = new(operations, authorizer, new ServiceAccountTokenIssuer(authenticator));

    public string ServerAddress { get; set; } = "127.0.0.1:0";

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path.TrimEnd('/');
        }

        var delay = faults.DelayFor(path);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
        }

        try
        {
            await RouteAsync(context, path).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteStatusAsync(context, e).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await WriteStatusAsync(context, Status.BadRequest($"error decoding request body: {e.Message}")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // Client went away or the server is stopping.
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException or IndexOutOfRangeException or InvalidCastException or YamlDotNet.Core.YamlException)
        {
            await WriteStatusAsync(context, Status.Internal(e.ToString())).ConfigureAwait(false);
        }
    }

    private static async Task WriteStatusAsync(HttpContext context, ApiException e)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        if (e.Code == 429)
        {
            context.Response.Headers.RetryAfter = FaultResponses.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        await WriteJsonAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task RouteAsync(HttpContext context, string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (path is "/healthz" or "/livez" or "/readyz")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (path == "/version")
        {
            await WriteJsonAsync(context, 200, Discovery.Version()).ConfigureAwait(false);
            return;
        }

        // Served without authentication (see docs/control-plane.md), so an IdP can trust the cluster as an issuer.
        if (await _serviceAccountTokens.TryServeDiscoveryAsync(context, path, ServerAddress).ConfigureAwait(false))
        {
            return;
        }

        var identity = authenticator.Authenticate(context.Request.Headers.Authorization.ToString()) ?? throw Status.Unauthorized();
        var all = _registry.All;
        switch (segments)
        {
            case ["api"]:
                await WriteJsonAsync(context, 200, Discovery.CoreVersions(ServerAddress)).ConfigureAwait(false);
                return;
            case ["api", "v1"]:
                await WriteJsonAsync(context, 200, Discovery.Resources(all.Where(t => t.Group.Length == 0).ToList(), "v1")).ConfigureAwait(false);
                return;
            case ["apis"]:
                await WriteJsonAsync(context, 200, Discovery.Groups(all)).ConfigureAwait(false);
                return;
            case ["apis", var group] when all.Any(t => t.Group == group):
                await WriteJsonAsync(context, 200, Discovery.Group(all, group)).ConfigureAwait(false);
                return;
            case ["apis", var group, var version] when all.Any(t => t.Group == group && t.Version == version):
                await WriteJsonAsync(context, 200, Discovery.Resources(all.Where(t => t.Group == group && t.Version == version).ToList(), $"{group}/{version}")).ConfigureAwait(false);
                return;
            case ["openapi", "v3"]:
                await WriteJsonAsync(context, 200, OpenApi.Root(all)).ConfigureAwait(false);
                return;
            case ["openapi", "v3", "api", "v1"]:
                await WriteJsonAsync(context, 200, OpenApi.Document(all, "v1")).ConfigureAwait(false);
                return;
            case ["openapi", "v3", "apis", var group, var version] when all.Any(t => t.Group == group && t.Version == version):
                await WriteJsonAsync(context, 200, OpenApi.Document(all, $"{group}/{version}")).ConfigureAwait(false);
                return;
            case ["api", "v1", .. var rest]:
                await ResourceAsync(context, identity, RequestTarget.Parse(_registry, "", "v1", rest)).ConfigureAwait(false);
                return;
            case ["apis", var group, var version, .. var rest]:
                await ResourceAsync(context, identity, RequestTarget.Parse(_registry, group, version, rest)).ConfigureAwait(false);
                return;
            default:
                throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
    }

    private async Task ResourceAsync(HttpContext context, Identity identity, RequestTarget? target)
    {
        if (target is null)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var (type, ns, name, subresource, legacyWatch) = target;
        if (subresource == "token" && type.Group.Length == 0 && type.Plural == "serviceaccounts" && ns is not null && name is not null)
        {
            await _serviceAccountTokens.CreateTokenAsync(context, identity, ns, name, ServerAddress).ConfigureAwait(false);
            return;
        }

        var query = context.Request.Query;
        var method = context.Request.Method;
        var watch = legacyWatch || query["watch"] is var w && (w == "true" || w == "1");
        var verb = method switch
        {
            "GET" when watch => "watch",
            "GET" when name is null => "list",
            "GET" => "get",
            "POST" when name is null => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when name is null => "deletecollection",
            "DELETE" => "delete",
            _ => throw Status.MethodNotAllowed(),
        };
        if (subresource is not null && subresource != "status")
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        if (subresource == "status" && !type.HasStatus)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        if (type.IsReview)
        {
            await ReviewAsync(context, identity, type, verb).ConfigureAwait(false);
            return;
        }

        if (!authorizer.Allows(identity, verb, type.Group, type.Plural, subresource, ns, name))
        {
            throw Forbidden(identity, verb, type, subresource, ns, name);
        }

        if (faults.TakeFault(verb, type.Plural, subresource, ns) is { } faultCode)
        {
            throw FaultResponses.For(faultCode, type, name, verb);
        }

        var writeOptions = new WriteOptions
        {
            DryRun = query["dryRun"] == "All",
            FieldValidation = query["fieldValidation"].ToString() is { Length: > 0 } fv ? fv : "Warn",
            FieldManager = query["fieldManager"].ToString() is { Length: > 0 } fm ? fm : null,
            Force = query["force"] == "true",
            Admit = ownerReferencesAdmission is null ? null : (old, next) => ownerReferencesAdmission.Admit(identity, type, subresource, ns ?? "", old, next),
        };
        if (writeOptions.FieldValidation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw Status.BadRequest($"fieldValidation parameter unsupported: {writeOptions.FieldValidation}, supported values are: Ignore, Warn, Strict");
        }

        var scopeNs = type.Namespaced ? ns : "";
        switch (verb)
        {
            case "get":
                var obj = operations.Get(type, scopeNs ?? "", name!);
                await WriteObjectAsync(context, 200, type, obj).ConfigureAwait(false);
                return;
            case "list":
                await ListAsync(context, type, ns).ConfigureAwait(false);
                return;
            case "watch":
                await WatchAsync(context, type, ns, name).ConfigureAwait(false);
                return;
            case "create":
                {
                    var body = await ReadObjectAsync(context).ConfigureAwait(false);
                    var created = operations.Create(type, scopeNs ?? "", body, writeOptions);
                    AddWarnings(context, writeOptions);
                    await WriteObjectAsync(context, 201, type, created).ConfigureAwait(false);
                    return;
                }

            case "update":
                {
                    var body = await ReadObjectAsync(context).ConfigureAwait(false);
                    var updated = operations.Update(type, scopeNs ?? "", name!, body, subresource, writeOptions);
                    AddWarnings(context, writeOptions);
                    await WriteObjectAsync(context, 200, type, updated).ConfigureAwait(false);
                    return;
                }

            case "patch":
                {
                    var text = await ReadBodyAsync(context).ConfigureAwait(false);
                    var existed = _store.Get(type.StorageKey, scopeNs ?? "", name!) is not null;
                    var patched = operations.Patch(type, scopeNs ?? "", name!, context.Request.ContentType ?? "", text, subresource, writeOptions);
                    AddWarnings(context, writeOptions);
                    await WriteObjectAsync(context, existed ? 200 : 201, type, patched).ConfigureAwait(false);
                    return;
                }

            case "delete":
                {
                    // Helm's release storage (client-go with the protobuf content type) sends DeleteOptions as protobuf.
                    var deleteOptions = context.Request.ContentType?.Contains("protobuf", StringComparison.OrdinalIgnoreCase) == true
                        ? await ReadObjectAsync(context).ConfigureAwait(false)
                        : await ReadBodyAsync(context).ConfigureAwait(false) is { Length: > 0 } text ? JsonNode.Parse(text) as JsonObject : null;
                    var dryRun = writeOptions.DryRun || deleteOptions?["dryRun"]?.AsArray().Any(d => d?.GetValue<string>() == "All") == true;
                    var deleted = operations.Delete(type, scopeNs ?? "", name!, deleteOptions, query["propagationPolicy"].ToString() is { Length: > 0 } pp ? pp : null, dryRun);
                    var gone = _store.Get(type.StorageKey, scopeNs ?? "", name!) is null;
                    if (type.IsCustom || type.Plural is "namespaces" or "customresourcedefinitions" or "pods" || !gone)
                    {
                        // endpoints/handlers/delete.go DeleteResource: 202 only when the object stays and the
                        // client asked for cascading deletion with orphanDependents=false; otherwise 200.
                        var accepted = !gone && deleteOptions?["orphanDependents"] is JsonValue orphan && orphan.TryGetValue<bool>(out var o) && !o;
                        await WriteObjectAsync(context, accepted ? 202 : 200, type, deleted).ConfigureAwait(false);
                    }
                    else
                    {
                        var success = Status.Success(type, name!);
                        success["details"]!["uid"] = ObjectMeta.Str(deleted, "uid");
                        await WriteJsonAsync(context, 200, success).ConfigureAwait(false);
                    }

                    return;
                }

            default:
                {
                    var labelSelector = Selector.ParseLabels(query["labelSelector"]);
                    var fieldSelector = ParseFieldSelector(type, query["fieldSelector"]);
                    var (items, _) = _store.List(type.StorageKey, ns);
                    var deleted = new JsonArray();
                    foreach (var item in items.Where(i => labelSelector.MatchesLabels(i) && fieldSelector.Matches(f => Selector.Field(i, f))))
                    {
                        deleted.Add(operations.Delete(type, ObjectMeta.Namespace(item), ObjectMeta.Name(item), null, null, writeOptions.DryRun));
                    }

                    await WriteJsonAsync(context, 200, new JsonObject { ["kind"] = type.ListKind, ["apiVersion"] = type.ApiVersion, ["metadata"] = new JsonObject(), ["items"] = deleted }).ConfigureAwait(false);
                    return;
                }
        }
    }

    /// <summary>SelfSubjectReview (kubectl auth whoami) and SelfSubjectAccessReview (kubectl auth can-i).</summary>
    private async Task ReviewAsync(HttpContext context, Identity identity, ResourceType type, string verb)
    {
        if (verb != "create")
        {
            throw Status.MethodNotAllowed();
        }

        var body = await ReadObjectAsync(context).ConfigureAwait(false);
        body["metadata"] ??= new JsonObject();
        body["metadata"]!["creationTimestamp"] = null;
        if (type.Plural == "selfsubjectreviews")
        {
            body["status"] = new JsonObject
            {
                ["userInfo"] = new JsonObject { ["username"] = identity.UserName, ["groups"] = new JsonArray([.. identity.Groups.Select(g => (JsonNode?)g)]) },
            };
        }
        else
        {
            var attributes = body["spec"]?["resourceAttributes"];
            bool allowed;
            if (attributes is null)
            {
                allowed = RbacAuthorizer.AllowsNonResource(identity, body["spec"]?["nonResourceAttributes"]?["path"]?.GetValue<string>() ?? "/");
            }
            else
            {
                string? Field(string field) => attributes[field]?.GetValue<string>() is { Length: > 0 } v ? v : null;
                allowed = authorizer.Allows(identity, Field("verb") ?? "get", Field("group") ?? "", Field("resource") ?? "", Field("subresource"), Field("namespace"), Field("name"));
            }

            body["status"] = new JsonObject { ["allowed"] = allowed };
        }

        await WriteJsonAsync(context, 201, body).ConfigureAwait(false);
    }

    private static void AddWarnings(HttpContext context, WriteOptions options)
    {
        foreach (var warning in options.Warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }

    private static ApiException Forbidden(Identity identity, string verb, ResourceType type, string? subresource, string? ns, string? name)
    {
        var resource = subresource is null ? type.Plural : $"{type.Plural}/{subresource}";
        var subject = name is null ? type.GroupResource : $"{type.GroupResource} \"{name}\"";
        var scope = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
        return new ApiException(403, "Forbidden",
            $"{subject} is forbidden: User \"{identity.UserName}\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" {scope}",
            Status.Details(type, name));
    }

    private static Selector ParseFieldSelector(ResourceType type, string? text)
    {
        var selector = Selector.ParseFields(text);
        if (type.IsCustom)
        {
            foreach (var key in selector.Keys)
            {
                if (key is not ("metadata.name" or "metadata.namespace"))
                {
                    throw Status.BadRequest($"field label not supported: {key}");
                }
            }
        }

        return selector;
    }

    private static bool WantsTable(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Split(',').FirstOrDefault()?.Contains("as=Table", StringComparison.Ordinal) == true;

    private static bool WantsPartialMetadata(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Split(',').FirstOrDefault()?.Contains("as=PartialObjectMetadata", StringComparison.Ordinal) == true;

    private static async Task WriteObjectAsync(HttpContext context, int code, ResourceType type, JsonObject obj)
    {
        if (WantsTable(context) && code is 200 or 201)
        {
            await WriteJsonAsync(context, code, TableBuilder.Build(type, [obj], context.Request.Query["includeObject"].ToString(), ObjectMeta.Str(obj, "resourceVersion"), null)).ConfigureAwait(false);
            return;
        }

        if (WantsPartialMetadata(context))
        {
            await WriteJsonAsync(context, code, TableBuilder.PartialObjectMetadata(obj)).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, code, obj).ConfigureAwait(false);
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "application/json";
        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            return ProtobufBodies.Decode(buffer.ToArray());
        }

        var text = await ReadBodyAsync(context).ConfigureAwait(false);
        JsonNode? node;
        if (contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase))
        {
            node = Yaml.YamlJson.ReadOne(text);
        }
        else
        {
            node = JsonNode.Parse(text);
        }

        return node as JsonObject ?? throw Status.BadRequest("Object 'Kind' is missing in request body");
    }

    private async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labelSelector = Selector.ParseLabels(query["labelSelector"]);
        var fieldSelector = ParseFieldSelector(type, query["fieldSelector"]);
        if (query["resourceVersionMatch"] == "Exact" && long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out var exact) && exact < _store.CompactedRevision)
        {
            throw Status.Expired($"The resourceVersion for the provided list is too old.");
        }

        var (items, revision) = _store.List(type.StorageKey, ns);
        var matching = items.Where(i => labelSelector.MatchesLabels(i) && fieldSelector.Matches(f => Selector.Field(i, f))).ToList();
        var revisionText = revision.ToString(CultureInfo.InvariantCulture);
        var start = 0;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                throw Status.BadRequest("continue key is not valid");
            }

            var parts = decoded.Split('|', 2);
            revisionText = parts[0];
            start = matching.FindIndex(i => string.CompareOrdinal(Key(i), parts[1]) > 0);
            if (start < 0)
            {
                start = matching.Count;
            }
        }

        string? next = null;
        long? remaining = null;
        var page = matching.Skip(start).ToList();
        if (int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var limit) && limit > 0 && page.Count > limit)
        {
            remaining = page.Count - limit;
            page = page.Take(limit).ToList();
            next = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{revisionText}|{Key(page[^1])}"));
        }

        page = page.Select(item => ResourceOperations.AsVersion(type, item)).ToList();

        if (WantsTable(context))
        {
            await WriteJsonAsync(context, 200, TableBuilder.Build(type, page, query["includeObject"].ToString(), revisionText, next)).ConfigureAwait(false);
            return;
        }

        var metadata = new JsonObject { ["resourceVersion"] = revisionText };
        if (next is not null)
        {
            metadata["continue"] = next;
            metadata["remainingItemCount"] = remaining;
        }

        var partial = WantsPartialMetadata(context);
        var list = new JsonObject
        {
            ["kind"] = partial ? "PartialObjectMetadataList" : type.ListKind,
            ["apiVersion"] = partial ? "meta.k8s.io/v1" : type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page.Select(i => (JsonNode?)(partial ? TableBuilder.PartialObjectMetadata(i) : i))]),
        };
        await WriteJsonAsync(context, 200, list).ConfigureAwait(false);
    }

    private static string Key(JsonObject obj) => ObjectMeta.Namespace(obj) + "/" + ObjectMeta.Name(obj);

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns, string? name)
    {
        var query = context.Request.Query;
        var labelSelector = Selector.ParseLabels(query["labelSelector"]);
        var fieldSelector = ParseFieldSelector(type, name is null ? query["fieldSelector"].ToString() : $"metadata.name={name}");
        var allowBookmarks = query["allowWatchBookmarks"] == "true";
        var sendInitialEvents = query["sendInitialEvents"] == "true";
        ValidateWatchListOptions(query);
        var rvText = query["resourceVersion"].ToString();
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : options.DefaultWatchTimeout;
        var asTable = WantsTable(context);
        var includeObject = query["includeObject"].ToString();

        bool Matches(JsonObject? o) => o is not null && labelSelector.MatchesLabels(o) && fieldSelector.Matches(f => Selector.Field(o, f));

        List<JsonObject> initial = [];
        WatchSubscription subscription;
        ApiException? expired = null;
        lock (_store.Gate)
        {
            long? from = null;
            if (rvText.Length == 0 || rvText == "0" || sendInitialEvents)
            {
                initial = _store.List(type.StorageKey, ns).Items.Where(Matches).ToList();
            }
            else if (long.TryParse(rvText, CultureInfo.InvariantCulture, out var parsed))
            {
                from = parsed;
            }
            else
            {
                throw Status.BadRequest($"invalid resource version: {rvText}");
            }

            try
            {
                subscription = _store.Subscribe(type.StorageKey, ns, from);
            }
            catch (ApiException e) when (e.Code == 410)
            {
                expired = e;
                subscription = _store.Subscribe(type.StorageKey, ns, null);
            }
        }

        using (subscription)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "no-cache, private";
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            using var timeoutSource = new CancellationTokenSource(timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeoutSource.Token, subscription.Dropped, stopping);
            var token = linked.Token;

            async Task SendAsync(string eventType, JsonObject obj)
            {
                JsonNode payload = obj;
                if (asTable && eventType != "BOOKMARK" && eventType != "ERROR")
                {
                    payload = TableBuilder.Build(type, [obj], includeObject, ObjectMeta.Str(obj, "resourceVersion"), null, includeColumns: true);
                }

                var line = new JsonObject { ["type"] = eventType, ["object"] = payload }.ToJsonString() + "\n";
                await context.Response.WriteAsync(line, token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
            }

            try
            {
                if (expired is not null)
                {
                    await SendAsync("ERROR", expired.ToStatus()).ConfigureAwait(false);
                    return;
                }

                foreach (var obj in initial)
                {
                    await SendAsync("ADDED", ResourceOperations.AsVersion(type, obj)).ConfigureAwait(false);
                }

                if (sendInitialEvents && allowBookmarks)
                {
                    await SendAsync("BOOKMARK", Bookmark(type, subscription.StartRevision, initialEventsEnd: true)).ConfigureAwait(false);
                }

                foreach (var e in subscription.Replay)
                {
                    await SendEventAsync(e).ConfigureAwait(false);
                }

                var reader = subscription.Events.Reader;
                var deadline = DateTimeOffset.UtcNow + timeout;
                var deadlineBookmarkSent = false;
                while (!token.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);

                    // storage/cacher/cache_watcher.go nextBookmarkTime: a bookmark every bookmark period,
                    // and one 2 s before the watch's deadline, so a client resuming after the timeout
                    // starts from a recent resourceVersion.
                    var untilDeadlineBookmark = deadline - TimeSpan.FromSeconds(2) - DateTimeOffset.UtcNow;
                    var isDeadlineBookmark = !deadlineBookmarkSent && untilDeadlineBookmark < options.BookmarkInterval;
                    wait.CancelAfter(isDeadlineBookmark ? (untilDeadlineBookmark > TimeSpan.Zero ? untilDeadlineBookmark : TimeSpan.Zero) : options.BookmarkInterval);
                    StoredEvent next;
                    try
                    {
                        next = await reader.ReadAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested)
                    {
                        deadlineBookmarkSent |= isDeadlineBookmark;
                        if (allowBookmarks && BookmarkRevision(reader) is { } bookmark)
                        {
                            await SendAsync("BOOKMARK", Bookmark(type, bookmark, initialEventsEnd: false)).ConfigureAwait(false);
                        }

                        continue;
                    }
                    catch (System.Threading.Channels.ChannelClosedException)
                    {
                        break;
                    }

                    await SendEventAsync(next).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout, dropped watch, client gone or shutdown: end the stream.
            }

            if (subscription.AbortConnection)
            {
                context.Abort();
            }

            async Task SendEventAsync(StoredEvent e)
            {
                var nowMatches = Matches(e.Object);
                var wasMatching = Matches(e.Previous);
                var eventType = e.Type switch
                {
                    "ADDED" => nowMatches ? "ADDED" : null,
                    "MODIFIED" when nowMatches && wasMatching => "MODIFIED",
                    "MODIFIED" when nowMatches => "ADDED",
                    "MODIFIED" when wasMatching => "DELETED",
                    "DELETED" => wasMatching ? "DELETED" : null,
                    _ => null,
                };
                if (eventType is not null)
                {
                    await SendAsync(eventType, ResourceOperations.AsVersion(type, e.Object.DeepClone().AsObject())).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// apiserver's <c>pkg/apis/meta/internalversion/validation/validation.go</c> <c>validateWatchOptions</c>:
    /// sendInitialEvents (true or false) needs resourceVersionMatch=NotOlderThan, and resourceVersionMatch
    /// on a watch needs sendInitialEvents and bookmarks.
    /// </summary>
    private static void ValidateWatchListOptions(IQueryCollection query)
    {
        var errors = new List<FieldError>();
        var hasSendInitialEvents = query["sendInitialEvents"].ToString().Length > 0;
        var match = query["resourceVersionMatch"].ToString();
        if (hasSendInitialEvents && match != "NotOlderThan")
        {
            errors.Add(FieldError.Forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
        }

        if (match.Length > 0)
        {
            if (!hasSendInitialEvents)
            {
                errors.Add(FieldError.Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
            }

            if (match != "NotOlderThan")
            {
                errors.Add(FieldError.NotSupported("resourceVersionMatch", Validation.ObjectMetaValidation.Quote(match), ["\"NotOlderThan\""]));
            }

            if (query["allowWatchBookmarks"] != "true")
            {
                errors.Add(FieldError.Forbidden("allowWatchBookmarks", "allowWatchBookmarks must be set to true when sendInitialEvents is provided"));
            }
        }

        if (errors.Count > 0)
        {
            throw Status.Invalid("ListOptions", "meta.k8s.io", "", errors);
        }
    }

    private long? BookmarkRevision(System.Threading.Channels.ChannelReader<StoredEvent> reader)
    {
        lock (_store.Gate)
        {
            return reader.TryPeek(out _) ? null : _store.Revision;
        }
    }

    private static JsonObject Bookmark(ResourceType type, long revision, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture), ["creationTimestamp"] = null };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = metadata };
    }
}
