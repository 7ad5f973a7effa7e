using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Tests.Runtime;

public sealed class WorkQueueTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_key_enqueued_twice_waits_once()
    {
        using var queue = new WorkQueue<string>(_time);
        queue.Enqueue("a");
        queue.Enqueue("a");
        queue.Enqueue("b");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("a", await Dequeue(queue));
        Assert.Equal("b", await Dequeue(queue));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task A_key_is_not_handed_out_twice_while_it_is_being_handled()
    {
        using var queue = new WorkQueue<string>(_time);
        queue.Enqueue("a");
        var key = await Dequeue(queue);

        queue.Enqueue("a");
        var second = queue.DequeueAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(second.IsCompleted);

        queue.Done(key);
        Assert.Equal("a", await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_latest_delayed_schedule_wins()
    {
        using var queue = new WorkQueue<string>(_time);
        queue.EnqueueAfter("a", TimeSpan.FromMinutes(10));
        queue.EnqueueAfter("a", TimeSpan.FromMinutes(1));
        var next = queue.DequeueAsync(TestContext.Current.CancellationToken).AsTask();

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a", await next.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));

        queue.Done("a");
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task An_immediate_enqueue_beats_a_pending_delay()
    {
        using var queue = new WorkQueue<string>(_time);
        queue.EnqueueAfter("a", TimeSpan.FromMinutes(5));
        queue.Enqueue("a");

        Assert.Equal("a", await Dequeue(queue));
        queue.Done("a");
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, queue.Depth);
    }

    private static async Task<string> Dequeue(WorkQueue<string> queue) =>
        await queue.DequeueAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
}
