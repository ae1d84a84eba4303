namespace ScyllaApocryph.Components.Mesh;

/// <summary>How nodes of one cluster reach each other.</summary>
public enum SecurityMode
{
    /// <summary>Nebula overlay (UDP + TUN); Scylla talks plain inside the encrypted mesh.</summary>
    Nebula,

    /// <summary>Scylla's own TLS with client-certificate checks; works over plain TCP (Apocryph providers).</summary>
    Tls,

    /// <summary>No encryption and no membership check: only for a one-host trial.</summary>
    None,
}
