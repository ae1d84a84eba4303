namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// A fact that needs the local chain (tests/devnet: anvil and the compiled contracts, installed by scripts/setup.sh).
/// Outside CI a missing devnet skips with the remedy; in CI (CI=true) the test runs and fails, so a broken setup
/// cannot pass as skipped.
/// </summary>
public sealed class DevnetFactAttribute : FactAttribute
{
    public DevnetFactAttribute()
    {
        if (Devnet.Missing is { } why && Environment.GetEnvironmentVariable("CI") != "true") Skip = why;
    }
}
