namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// Runs an async test body on the calling thread alone, so a test on a fake clock takes the same steps on an idle machine
/// and a loaded one. The body runs with no synchronization context, so every continuation runs inline on the thread that
/// completed what it awaited; fake-clock timers fire inside <c>Advance</c>, on this thread, so nothing ever reaches the
/// thread pool. When the body awaits <see cref="Idle"/>, everything that could run without time passing has run: that
/// is when a caller moves the clock. Simulated time therefore passes at the same points of the computation on every run,
/// never by how fast real time goes. A body that waits on anything else (real time, the thread pool) fails the run.
/// </summary>
public static class SimulatedTime
{
    private static readonly AsyncLocal<Driver?> Current = new();

    /// <summary>Runs <paramref name="body"/> to completion on this thread; fails if any of its work ran elsewhere.</summary>
    public static void Run(Func<Task> body)
    {
        // Inside a task on the default scheduler, run here: a test runner's own scheduler (xUnit has one) would otherwise be
        // captured by the body's awaits, and it keeps continuations from running inline.
        var here = new Task(() => RunHere(body));
        here.RunSynchronously(TaskScheduler.Default);
        here.GetAwaiter().GetResult();
    }

    private static void RunHere(Func<Task> body)
    {
        var driver = new Driver(Environment.CurrentManagedThreadId);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        Current.Value = driver;
        Task task;
        try
        {
            task = body();
            while (!task.IsCompleted)
            {
                if (driver.TakeWaiter() is not { } waiter)
                {
                    // The body waits on neither the fake clock nor this thread. Give it a while (real time) to say why.
                    if (!SpinWait.SpinUntil(() => task.IsCompleted || driver.HasWaiter, TimeSpan.FromSeconds(60)))
                        throw new TimeoutException("the test body waits on neither this thread nor the fake clock (deadlock?)");
                    driver.Foreign ??= "the body awaited something that completed on another thread or in real time" +
                        (task.IsCompleted ? $" and ended: {task.Exception?.InnerException}" : "");
                    continue;
                }
                waiter.SetResult(); // the body resumes inline, here, up to its next await
            }
        }
        finally
        {
            Current.Value = null;
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        if (driver.Foreign is { } foreign) throw new InvalidOperationException($"not deterministic: {foreign}");
        task.GetAwaiter().GetResult();
    }

    /// <summary>Completes once everything that can run without time passing has run.</summary>
    public static Task Idle()
    {
        var driver = Current.Value ?? throw new InvalidOperationException("simulated time only passes inside SimulatedTime.Run(...)");
        if (Environment.CurrentManagedThreadId != driver.Thread)
            driver.Foreign = $"the body ran on thread {Environment.CurrentManagedThreadId}: {Environment.StackTrace}";
        return driver.AddWaiter();
    }

    private sealed class Driver(int thread)
    {
        private TaskCompletionSource? _waiter;

        public int Thread { get; } = thread;

        public string? Foreign { get; set; }

        public bool HasWaiter => Volatile.Read(ref _waiter) is not null;

        public Task AddWaiter()
        {
            var waiter = new TaskCompletionSource();
            if (Interlocked.CompareExchange(ref _waiter, waiter, null) is not null)
                throw new InvalidOperationException("two flows wait for simulated time at once: move the clock from one place");
            return waiter.Task;
        }

        public TaskCompletionSource? TakeWaiter() => Interlocked.Exchange(ref _waiter, null);
    }
}
