namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// ScyllaDB's <c>tablets_mode_for_new_keyspaces</c> (db/config.cc at scylla-2025.1.4): whether a new keyspace uses
/// tablets (per-table token ranges that move between nodes) or vnodes.
/// </summary>
public enum TabletsMode
{
    /// <summary>New keyspaces use vnodes unless they ask for tablets.</summary>
    Disabled,

    /// <summary>New keyspaces use tablets unless they opt out (the image's setting).</summary>
    Enabled,

    /// <summary>New keyspaces must use tablets.</summary>
    Enforced,
}
