using System.Numerics;
using Google.Protobuf;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>The Apocryph pod provider against anvil, provider doubles and a Kubo double.</summary>
public sealed class ApocryphPodProviderTests
{
    private static readonly string Publisher = WalletKey.FromHex(Devnet.PublisherKey).Address;

    [DevnetFact]
    public async Task Create_pays_provisions_through_the_Kubo_forward_and_reports_the_NodePorts()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");

        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", lab.Inputs(0, "demo-alpha-0")), default);

        Assert.Equal("1000", created.Outputs.GetString("channelAvailable"));
        Assert.Equal(["127.0.0.1:30701", "127.0.0.1:30942"], created.Outputs.Get("endpoints")!.AsArray!.Value.Select(v => v.AsString));
        Assert.Equal(created.Id, created.Outputs.GetString("namespace"));
        Assert.Equal("30701/internode-tls 30942/cql-tls", created.Outputs.GetString("ports"));
        Assert.Single(lab.Providers[0].Pods);
        Assert.Equal([30701, 30942], lab.Providers[0].AllocatedNodePorts.Order());
        Assert.Equal(0, lab.Kubo.OpenForwards); // closed after use
        Assert.Equal(1, lab.Kubo.ForwardsOpened);
        var received = Directory.GetFiles(Path.Combine(lab.Manifests, "alpha", created.Id));
        Assert.Equal(["0001-ProvisionPod.json"], received.Select(Path.GetFileName));
        Assert.DoesNotContain("cluster_name: demo", created.Outputs.ToString()); // the secret stays out of outputs
        Assert.Equal(Devnet.Minted - 1000, await TokenBalance(lab));
    }

    [DevnetFact]
    public async Task Secret_files_go_encrypted_to_IPFS_as_cid_and_key_the_provider_decrypts_them_and_delete_unpins_them()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var inputs = lab.Inputs(0, "demo-alpha-0");

        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", inputs), default);

        var secret = lab.Providers[0].Pods[created.Id].Volumes.Single(v => v.Name == "file-scylla-yaml").Secret;
        Assert.True(secret.Contents.IsEmpty);
        var cid = CidText.ToText(secret.Cid.ToByteArray());
        Assert.Equal([cid], created.Outputs.Get("secretCids")!.AsArray!.Value.Select(v => v.AsString));
        Assert.Equal("cluster_name: demo\n", System.Text.Encoding.UTF8.GetString(lab.Providers[0].SecretFiles[created.Id]["file-scylla-yaml"]));
        // What IPFS holds is ciphertext; the key travels only in the manifest, never into outputs or the recorded copy.
        var stored = lab.Kubo.Files[cid];
        Assert.DoesNotContain("cluster_name", System.Text.Encoding.UTF8.GetString(stored));
        Assert.Equal(Tests.Doubles.UnixFsFile.Cid(stored), cid);
        var jwk = System.Text.Json.JsonDocument.Parse(secret.Key.Data.ToByteArray()).RootElement;
        Assert.Equal(("oct", "dir"), (jwk.GetProperty("kty").GetString(), jwk.GetProperty("alg").GetString()));
        var k = jwk.GetProperty("k").GetString()!;
        Assert.DoesNotContain(k, created.Outputs.ToString());
        var recorded = File.ReadAllText(Directory.GetFiles(Path.Combine(lab.Manifests, "alpha", created.Id)).Single());
        Assert.DoesNotContain(k, recorded);
        Assert.DoesNotContain(Convert.ToBase64String(secret.Key.Data.ToByteArray()), recorded);
        Assert.Contains("\"cid\"", recorded);
        Assert.Contains(cid, lab.Kubo.Pins);

        await provider.DeleteAsync(new DeleteRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs), default);
        Assert.DoesNotContain(cid, lab.Kubo.Pins);
        await provider.DeleteAsync(new DeleteRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs), default); // twice: no error
    }

    [DevnetFact]
    public async Task In_contents_mode_the_manifest_carries_the_file_and_the_provider_double_writes_it_redacted()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");

        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", lab.Inputs(0, "demo-alpha-0", secrets: SecretDelivery.Contents)), default);

        Assert.False(lab.Providers[0].Pods[created.Id].Volumes.Single(v => v.Name == "file-scylla-yaml").Secret.Contents.IsEmpty);
        Assert.Equal("cluster_name: demo\n", System.Text.Encoding.UTF8.GetString(lab.Providers[0].SecretFiles[created.Id]["file-scylla-yaml"]));
        Assert.Empty(lab.Kubo.Files);
        var recorded = File.ReadAllText(Directory.GetFiles(Path.Combine(lab.Manifests, "alpha", created.Id)).Single());
        Assert.Contains("\"contents\": \"(redacted: 19 bytes)\"", recorded);
        Assert.DoesNotContain(Convert.ToBase64String("cluster_name: demo\n"u8), recorded);
    }

    [DevnetFact]
    public async Task A_crash_at_any_step_of_create_then_a_replay_leaves_one_paid_pod_and_pays_once()
    {
        foreach (var step in new[] { "approve", "createChannel", "funded", "provisioned" })
        {
            await using var lab = await ApocryphLab.StartAsync();
            var urn = ApocryphLab.UrnOf("demo-alpha-0");
            var crashing = lab.NewProvider();
            crashing.AfterStep = s => s == step ? throw new SimulatedCrash() : Task.CompletedTask;
            await Assert.ThrowsAsync<SimulatedCrash>(() => crashing.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", lab.Inputs(0, "demo-alpha-0")), default));

            // The journal re-drives Create in a new process: a new provider instance, only the chain and the provider remember.
            var replay = lab.NewProvider();
            var created = await replay.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", lab.Inputs(0, "demo-alpha-0")), default);

            Assert.Equal("1000", created.Outputs.GetString("channelInvested"));
            Assert.Equal(Devnet.Minted - 1000, await TokenBalance(lab));
            Assert.Single(lab.Providers[0].Pods);
            Assert.Equal(2, created.Outputs.Get("endpoints")!.AsArray!.Value.Length);
            Assert.Empty(lab.Providers[0].Restarts); // adopting an existing pod restarted nothing
        }
    }

    [DevnetFact]
    public async Task Delete_removes_the_pod_and_returns_the_money_once_the_channel_unlocks()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var inputs = lab.Inputs(1, "demo-alpha-0", unlockSeconds: 600);
        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", inputs), default);

        var locked = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            provider.DeleteAsync(new DeleteRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs), default));
        Assert.Contains("still holds 1000 tokens, locked until", locked.Message);
        Assert.Empty(lab.Providers[1].Pods);
        Assert.NotNull(await provider.ReadAsync(new ReadRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs), default));

        await lab.Chain.AdvanceTimeAsync(601);
        await provider.DeleteAsync(new DeleteRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs), default); // a second destroy

        Assert.Equal(Devnet.Minted, await TokenBalance(lab));
        Assert.Null(await provider.ReadAsync(new ReadRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs), default));
    }

    [DevnetFact]
    public async Task An_interrupted_create_is_found_by_its_channel_and_deleting_what_was_found_returns_the_money()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var inputs = lab.Inputs(0, "demo-alpha-0");
        var provider = lab.NewProvider();
        Assert.Equal(FindOutcome.Absent, (await provider.FindAsync(new FindRequest(urn, "apocryph:index:Pod", inputs), default)).Outcome);

        provider.AfterStep = s => s == "funded" ? throw new SimulatedCrash() : Task.CompletedTask;
        await Assert.ThrowsAsync<SimulatedCrash>(() => provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", inputs), default));
        var found = await lab.NewProvider().FindAsync(new FindRequest(urn, "apocryph:index:Pod", inputs), default);

        Assert.Equal(FindOutcome.Found, found.Outcome);
        Assert.Equal("1000", found.Outputs!.GetString("channelAvailable"));
        await lab.NewProvider().DeleteAsync(new DeleteRequest(urn, "apocryph:index:Pod", found.Id!, inputs, found.Outputs), default);
        Assert.Equal(Devnet.Minted, await TokenBalance(lab));
        Assert.Empty(lab.Providers[0].Pods);
        Assert.Equal(FindOutcome.Absent, (await lab.NewProvider().FindAsync(new FindRequest(urn, "apocryph:index:Pod", inputs), default)).Outcome);
    }

    [DevnetFact]
    public async Task A_changed_manifest_is_refused_with_the_reason_and_a_raised_fund_is_deposited()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var inputs = lab.Inputs(0, "demo-alpha-0");
        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", inputs), default);

        var changed = lab.Inputs(0, "demo-alpha-0", manifest: ApocryphLab.Manifest("scylladb/scylla:2025.1.5"));
        var diff = await provider.DiffAsync(new DiffRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, changed), default);
        Assert.Contains(ApocryphPodProvider.UpdateRefusal, diff.Notes!);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            provider.UpdateAsync(new UpdateRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, changed), default));
        Assert.Contains("volume lock", refused.Message);
        Assert.Empty(lab.Providers[0].Restarts);

        var raised = await provider.UpdateAsync(new UpdateRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, lab.Inputs(0, "demo-alpha-0", funds: 1500)), default);
        Assert.Equal("1500", raised.Outputs.GetString("channelInvested"));
        Assert.Equal(Devnet.Minted - 1500, await TokenBalance(lab));
    }

    /// <summary>The manifest with ScyllaDB started through the node agent, as the renderer writes it with agentImage.</summary>
    private static string WithAgent(string manifest) => manifest.Replace("""{"name":"scylla",""",
        $$"""{"name":"scylla","command":["{{ScyllaApocryph.Components.Cluster.AgentConfigFile.ImageBinary}}","run","--config","/etc/scylla-apocryph/agent.json"],""");

    private static string WithScyllaYaml(string manifest, string content) =>
        manifest.Replace(Convert.ToBase64String("cluster_name: demo\n"u8), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(content)));

    [DevnetFact]
    public async Task Under_the_agents_volume_lock_a_changed_manifest_is_sent_with_UpdatePod_and_only_the_old_secret_files_are_unpinned()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var inputs = lab.Inputs(0, "demo-alpha-0", manifest: WithAgent(ApocryphLab.Manifest()));
        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", inputs), default);
        var oldCid = Assert.Single(created.Outputs.Get("secretCids")!.AsArray!.Value).AsString!;

        var changed = lab.Inputs(0, "demo-alpha-0", manifest: WithScyllaYaml(WithAgent(ApocryphLab.Manifest("scylladb/scylla:2025.1.5")), "cluster_name: demo2\n"));
        var diff = await provider.DiffAsync(new DiffRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, changed), default);
        Assert.Equal([ApocryphPodProvider.UpdateUnderLock], diff.Notes!);
        var updated = await provider.UpdateAsync(new UpdateRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, changed), default);

        Assert.Equal(1, lab.Providers[0].Restarts[created.Id]);
        Assert.Equal("scylladb/scylla:2025.1.5", lab.Providers[0].Pods[created.Id].Containers[0].Image.Url);
        Assert.Equal("cluster_name: demo2\n", System.Text.Encoding.UTF8.GetString(lab.Providers[0].SecretFiles[created.Id]["file-scylla-yaml"]));
        var newCid = Assert.Single(updated.Outputs.Get("secretCids")!.AsArray!.Value).AsString!;
        Assert.NotEqual(oldCid, newCid);
        Assert.Contains(newCid, lab.Kubo.Pins);
        Assert.DoesNotContain(oldCid, lab.Kubo.Pins);
        Assert.Equal("1000", updated.Outputs.GetString("channelInvested")); // paid once, at create
    }

    [DevnetFact]
    public async Task One_run_restarts_one_pod_a_second_changed_node_waits_for_the_next_up()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var gate = new PodRestartGate();
        var (alpha, beta) = (lab.NewProvider(gate), lab.NewProvider(gate));
        var (urnA, urnB) = (ApocryphLab.UrnOf("demo-alpha-0"), ApocryphLab.UrnOf("demo-beta-0"));
        var (inA, inB) = (lab.Inputs(0, "demo-alpha-0", manifest: WithAgent(ApocryphLab.Manifest())), lab.Inputs(1, "demo-beta-0", manifest: WithAgent(ApocryphLab.Manifest())));
        var a = await alpha.CreateAsync(new CreateRequest(urnA, "apocryph:index:Pod", inA), default);
        var b = await beta.CreateAsync(new CreateRequest(urnB, "apocryph:index:Pod", inB), default);
        var newer = WithAgent(ApocryphLab.Manifest("scylladb/scylla:2025.1.5"));

        await alpha.UpdateAsync(new UpdateRequest(urnA, "apocryph:index:Pod", a.Id, inA, a.Outputs, lab.Inputs(0, "demo-alpha-0", manifest: newer)), default);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            beta.UpdateAsync(new UpdateRequest(urnB, "apocryph:index:Pod", b.Id, inB, b.Outputs, lab.Inputs(1, "demo-beta-0", manifest: newer)), default));

        Assert.Contains("demo-alpha-0 restarts through UpdatePod already", refused.Message);
        Assert.Equal(1, lab.Providers[0].Restarts[a.Id]);
        Assert.Empty(lab.Providers[1].Restarts);
        // The next run (a new gate) sends it.
        await lab.NewProvider().UpdateAsync(new UpdateRequest(urnB, "apocryph:index:Pod", b.Id, inB, b.Outputs, lab.Inputs(1, "demo-beta-0", manifest: newer)), default);
        Assert.Equal(1, lab.Providers[1].Restarts[b.Id]);
    }

    [DevnetFact]
    public async Task A_pod_that_runs_ScyllaDB_without_the_agent_is_not_updated_into_one_that_does()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var inputs = lab.Inputs(0, "demo-alpha-0");
        var created = await provider.CreateAsync(new CreateRequest(urn, "apocryph:index:Pod", inputs), default);

        // The running pod holds no lock, so the new pod's agent could not keep ScyllaDB off the volume while it runs.
        var changed = lab.Inputs(0, "demo-alpha-0", manifest: WithAgent(ApocryphLab.Manifest()));
        var diff = await provider.DiffAsync(new DiffRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, changed), default);
        Assert.Equal([ApocryphPodProvider.UpdateRefusal], diff.Notes!);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            provider.UpdateAsync(new UpdateRequest(urn, "apocryph:index:Pod", created.Id, inputs, created.Outputs, changed), default));
        Assert.Empty(lab.Providers[0].Restarts);
    }

    [DevnetFact]
    public async Task Moving_a_node_to_another_provider_is_a_replacement_never_an_update()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();
        var urn = ApocryphLab.UrnOf("demo-alpha-0");
        var diff = await provider.DiffAsync(new DiffRequest(urn, "apocryph:index:Pod", "ns", lab.Inputs(0, "demo-alpha-0"), PropertyMap.Empty, lab.Inputs(1, "demo-alpha-0")), default);

        Assert.Contains("providerAddress", diff.ReplaceKeys);
        Assert.Contains("providerId", diff.ReplaceKeys);
    }

    [DevnetFact]
    public async Task Pods_on_three_providers_created_at_once_each_get_a_channel_and_a_pod()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var provider = lab.NewProvider();

        var created = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            provider.CreateAsync(new CreateRequest(ApocryphLab.UrnOf($"demo-dc{i}-0"), "apocryph:index:Pod", lab.Inputs(i, $"demo-dc{i}-0")), default)));

        Assert.All(lab.Providers, p => Assert.Single(p.Pods));
        Assert.Equal(Devnet.Minted - 3000, await TokenBalance(lab));
        Assert.Equal(3, created.Select(c => c.Id).Distinct().Count());
    }

    private static async Task<BigInteger> TokenBalance(ApocryphLab lab)
    {
        var payments = await PaymentChannels.ConnectAsync(lab.Chain.RpcUrl, WalletKey.FromHex(Devnet.PublisherKey), lab.Chain.Payment, default);
        return await payments.TokenBalanceAsync(Publisher);
    }

    private sealed class SimulatedCrash : Exception;
}
