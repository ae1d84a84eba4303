using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Random;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Engine;

/// <summary>
/// The passphrase key (PBKDF2, 600,000 iterations in production) is derived only when a secret is really encrypted or
/// decrypted, and at most once per run. Derivations are counted through the cipher's key-derivation seam.
/// </summary>
public sealed class KeyDerivationTests : IDisposable
{
    private const string Thing = "test:index:Thing";
    private readonly EngineHarness _h = new();
    private int _derivations;

    public void Dispose() => _h.Dispose();

    private byte[] Counting(string passphrase, byte[] salt, int iterations)
    {
        Interlocked.Increment(ref _derivations);
        return PassphraseCipher.Pbkdf2(passphrase, salt, iterations);
    }

    private StateStore OpenCounting(string passphrase = EngineHarness.Passphrase) =>
        StateStore.Open(_h.Directory, PassphraseCipher.Open(_h.Directory, passphrase, iterations: 1000, Counting));

    // A generated password (a secret output of the real random provider) used by a resource through a reference, as
    // the cluster's files use the superuser password; and a plain input beside it.
    private static ResourceGraph Graph(int size, PropertyValue? extra = null)
    {
        var g = EngineHarness.NewGraph();
        var password = g.Resource(RandomPasswordProvider.PasswordType, "pw", "rnd", PropertyMap.Of(("length", 32)));
        var inputs = PropertyMap.Of(("password", password.Output("result")), ("size", size));
        g.Resource(Thing, "db", "mem", extra is null ? inputs : inputs.With("extra", extra));
        return g;
    }

    private DeploymentEngine Engine() =>
        new(new ProviderRegistry().Add("mem", _h.Provider).Add("rnd", new RandomPasswordProvider()), parallelism: 4);

    private async Task UpAsync(ResourceGraph graph)
    {
        using var store = StateStore.Open(_h.Directory, PassphraseCipher.Open(_h.Directory, EngineHarness.Passphrase, iterations: 1000));
        var result = await Engine().UpAsync(graph, store);
        Assert.True(result.Succeeded, string.Join("; ", result.Outcomes.Select(o => o.Error)));
    }

    [Fact]
    public async Task Opening_the_state_derives_no_key_and_the_first_secret_opened_derives_it_once()
    {
        await UpAsync(Graph(1));

        using var store = OpenCounting();
        Assert.Equal(0, _derivations);
        var db = store.State.Live.Single(r => r.Urn.Name == "db");
        Assert.Equal(32, db.Inputs.Get("password")!.Reveal().AsString!.Length);
        Assert.Equal(1, _derivations);
        store.State.Live.Single(r => r.Urn.Name == "pw").Outputs.Get("sha512crypt")!.Reveal();
        store.VerifySecrets();
        Assert.Equal(1, _derivations);
    }

    [Fact]
    public async Task A_preview_that_changes_no_secret_derives_no_key()
    {
        await UpAsync(Graph(1));

        using (var store = OpenCounting())
        {
            var same = await Engine().PreviewAsync(Graph(1), store.State);
            Assert.All(same.Outcomes, o => Assert.Equal(StepKind.Same, o.Step.Kind));
            var resized = await Engine().PreviewAsync(Graph(2), store.State);
            Assert.Equal(StepKind.Update, resized.Outcomes.Single(o => o.Step.Name == "db").Step.Kind);
        }

        Assert.Equal(0, _derivations);
    }

    [Fact]
    public async Task A_preview_that_compares_a_changed_secret_derives_the_key_once()
    {
        await UpAsync(Graph(1, PropertyValue.Secret("first")));

        using var store = OpenCounting();
        var result = await Engine().PreviewAsync(Graph(1, PropertyValue.Secret("second")), store.State);

        Assert.Equal(StepKind.Update, result.Outcomes.Single(o => o.Step.Name == "db").Step.Kind);
        Assert.Equal(1, _derivations);
    }

    [Fact]
    public async Task An_up_that_changes_no_secret_rewrites_the_state_without_the_key_and_the_secrets_stay_readable()
    {
        await UpAsync(Graph(1));
        string password;
        using (var before = OpenCounting()) password = before.State.Live.Single(r => r.Urn.Name == "db").Inputs.Get("password")!.Reveal().AsString!;
        _derivations = 0;

        using (var store = OpenCounting())
            Assert.True((await Engine().UpAsync(Graph(2), store)).Succeeded);

        Assert.Equal(0, _derivations);
        using var after = OpenCounting();
        var db = after.State.Live.Single(r => r.Urn.Name == "db");
        Assert.Equal(2, db.Inputs.Get("size")!.AsNumber);
        Assert.Equal(password, db.Inputs.Get("password")!.Reveal().AsString);
    }

    [Fact]
    public async Task A_wrong_passphrase_is_refused_when_the_first_secret_is_opened_and_never_derived_again()
    {
        await UpAsync(Graph(1));

        using var store = OpenCounting("wrong");
        Assert.Throws<WrongPassphraseException>(store.VerifySecrets);
        Assert.Throws<WrongPassphraseException>(store.VerifySecrets);

        Assert.Equal(1, _derivations);
    }

    [Fact]
    public async Task A_preview_that_needs_a_secret_under_a_wrong_passphrase_fails_as_a_whole_not_as_one_step()
    {
        await UpAsync(Graph(1, PropertyValue.Secret("first")));

        using var store = OpenCounting("wrong");
        await Assert.ThrowsAsync<WrongPassphraseException>(() => Engine().PreviewAsync(Graph(1, PropertyValue.Secret("second")), store.State));
    }
}
