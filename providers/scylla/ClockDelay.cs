namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// A wait on a <see cref="TimeProvider"/> that ends where it is ended: when the timer fires or the token is cancelled, the
/// waiting code resumes on that same thread. Task.Delay(TimeSpan, TimeProvider, CancellationToken) hands the continuation
/// of a cancelled wait to the thread pool, so a test on a fake clock would race real threads and stop being repeatable.
/// </summary>
public static class ClockDelay
{
    public static Task Wait(TimeProvider clock, TimeSpan delay, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled(ct);
        var done = new TaskCompletionSource();
        var registration = ct.Register(() => done.TrySetCanceled(ct));
        var timer = clock.CreateTimer(_ => done.TrySetResult(), null, delay, Timeout.InfiniteTimeSpan);
        _ = done.Task.ContinueWith(_ =>
        {
            registration.Dispose();
            timer.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return done.Task;
    }
}
