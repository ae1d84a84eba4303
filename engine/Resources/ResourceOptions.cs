namespace ScyllaApocryph.Engine.Resources;

/// <summary>Per-operation time limits; a provider call that runs past one is cancelled and fails.</summary>
public sealed record CustomTimeouts(TimeSpan? Create = null, TimeSpan? Update = null, TimeSpan? Delete = null);

/// <summary>Pulumi's resource options, as far as this engine honours them.</summary>
public sealed record ResourceOptions
{
    public static readonly ResourceOptions Default = new();

    /// <summary>Extra dependencies besides those implied by output references and the parent.</summary>
    public IReadOnlyList<Urn> DependsOn { get; init; } = [];

    /// <summary>A protected resource is never deleted or replaced; destroy refuses while one exists.</summary>
    public bool Protect { get; init; }

    /// <summary>Delete the old resource before creating its replacement (for things that cannot exist twice).</summary>
    public bool DeleteBeforeReplace { get; init; }

    /// <summary>Input keys whose change forces a replacement, in addition to what the provider says.</summary>
    public IReadOnlyList<string> ReplaceOnChanges { get; init; } = [];

    /// <summary>Input keys whose changes are ignored: the recorded value is kept.</summary>
    public IReadOnlyList<string> IgnoreChanges { get; init; } = [];

    public CustomTimeouts Timeouts { get; init; } = new();
}
