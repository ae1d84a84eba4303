namespace ScyllaApocryph.Providers.Kubernetes;

/// <summary>How the provider waits for applied objects to become ready. The clock and the sleep are injected so
/// tests run on a fake clock and never depend on wall-clock speed.</summary>
public sealed record AwaitOptions
{
    public static readonly AwaitOptions Default = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Waits between two looks at the cluster; the default sleeps on <see cref="Time"/>.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Sleep { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A pod held this long by the same stuck reason (image pull back-off, crash loop, unschedulable) fails
    /// its step rather than waiting out the whole timeout.</summary>
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Receives one line whenever what an object waits on changes.</summary>
    public Action<string>? Progress { get; init; }

    public Task SleepAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        Sleep is { } sleep ? sleep(delay, cancellationToken) : Task.Delay(delay, Time, cancellationToken);
}
