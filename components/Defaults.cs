namespace ScyllaApocryph.Components;

/// <summary>
/// Every default the stack file, the components, the providers and the node agent share, defined once so that a
/// value left out of the stack means the same thing everywhere. ScyllaDB's own numbers are its defaults in
/// db/config.cc (scylla-2025.1): a node configured with them needs no override.
/// </summary>
public static class Defaults
{
    /// <summary>Ports; every node of a cluster uses the same numbers (see <c>PortSpec</c>).</summary>
    public static class Ports
    {
        /// <summary>db/config.cc storage_port.</summary>
        public const int Storage = 7000;

        /// <summary>db/config.cc ssl_storage_port.</summary>
        public const int SslStorage = 7001;

        /// <summary>db/config.cc native_transport_port.</summary>
        public const int Cql = 9042;

        /// <summary>db/config.cc native_shard_aware_transport_port.</summary>
        public const int CqlShardAware = 19042;

        /// <summary>db/config.cc native_transport_port_ssl (the CQL port once client TLS is on).</summary>
        public const int CqlTls = 9142;

        /// <summary>db/config.cc native_shard_aware_transport_port_ssl.</summary>
        public const int CqlShardAwareTls = 19142;

        /// <summary>db/config.cc api_port: the REST API, which has no authentication and stays on loopback.</summary>
        public const int RestApi = 10000;

        /// <summary>db/config.cc prometheus_port.</summary>
        public const int Prometheus = 9180;

        /// <summary>
        /// Nebula's UDP port for the first node; in the low band Kubernetes keeps for fixed NodePorts (30000-30085 of
        /// the default range, KEP-3668), since every provider in nebula mode publishes it as a NodePort.
        /// </summary>
        public const int NebulaUdp = 30042;

        /// <summary>The node agent's API (views, intents, hooks, health, metrics).</summary>
        public const int Agent = 8080;
    }

    /// <summary>Certificate lifetimes, in the stack's duration syntax (see <c>PkiSpec.TryParseDuration</c>).</summary>
    public static class Pki
    {
        public const string CaDuration = "3650d";
        public const string CertDuration = "365d";

        /// <summary>A certificate is reissued on the first <c>up</c> this long before it expires.</summary>
        public const string RenewBefore = "30d";
    }

    /// <summary>db/config.cc failure_detector_timeout_in_ms; membership waits twice this before calling a node dead.</summary>
    public const int FailureDetectorTimeoutMs = 20_000;

    /// <summary>The Nebula overlay network; each node slot gets a fixed address in it.</summary>
    public const string OverlayCidr = "10.42.0.0/16";

    /// <summary>What tpodctl sends (cmd/trustedpods/autoscaler.go at 4bbf371): seconds the autoscaler waits for a Raft leader.</summary>
    public const int AutoscalerTimeoutSeconds = 30;
}
