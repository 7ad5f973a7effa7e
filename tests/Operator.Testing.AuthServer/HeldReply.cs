namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// One token reply the server holds back: the request was processed in full (a refresh token redeemed and rotated),
/// and the answer is sent only on <see cref="Release"/>. A client that hangs up meanwhile does not undo the refresh,
/// as with every real authorization server, which is exactly when a client can lose a rotation.
/// </summary>
public sealed class HeldReply
{
    private readonly TaskCompletionSource _processed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the server has processed the request and is holding its reply.</summary>
    public Task Processed => _processed.Task;

    /// <summary>Sends the held reply (to a client that may have gone).</summary>
    public void Release() => _released.TrySetResult();

    internal Task Released => _released.Task;

    internal void MarkProcessed() => _processed.TrySetResult();
}
