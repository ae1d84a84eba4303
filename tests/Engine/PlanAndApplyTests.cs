using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Engine;

public sealed class PlanAndApplyTests : IDisposable
{
    private const string Thing = "test:index:Thing";
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static ResourceGraph Graph(params (string Name, PropertyMap Inputs)[] things)
    {
        var g = EngineHarness.NewGraph();
        foreach (var (name, inputs) in things) g.Resource(Thing, name, "mem", inputs);
        return g;
    }

    private static StepOutcome Step(DeploymentResult r, string name) => r.Outcomes.Single(o => o.Step.Name == name);

    [Fact]
    public async Task Preview_of_a_new_stack_plans_a_create_for_every_resource_and_changes_nothing()
    {
        var plan = await _h.PreviewAsync(Graph(("a", PropertyMap.Of(("size", 1))), ("b", PropertyMap.Of(("size", 2)))));

        Assert.All(plan.Outcomes, o => Assert.Equal((StepKind.Create, StepStatus.Planned), (o.Step.Kind, o.Status)));
        Assert.Empty(_h.Provider.Calls);
        Assert.False(File.Exists(Path.Combine(_h.Directory, "snapshot.json")));
    }

    [Fact]
    public async Task A_second_up_with_the_same_program_changes_nothing()
    {
        var graph = Graph(("a", PropertyMap.Of(("size", 1))));
        await _h.UpAsync(graph);
        _h.Provider.Calls.Clear();

        var second = await _h.UpAsync(graph);

        Assert.Equal(StepKind.Same, Step(second, "a").Step.Kind);
        Assert.False(second.HasChanges);
        Assert.Empty(_h.Provider.Calls);
    }

    [Fact]
    public async Task Changing_an_input_updates_in_place_with_a_readable_diff()
    {
        await _h.UpAsync(Graph(("a", PropertyMap.Of(("size", 1), ("color", "red")))));

        var plan = await _h.PreviewAsync(Graph(("a", PropertyMap.Of(("size", 2), ("color", "red")))));
        var step = Step(plan, "a").Step;

        Assert.Equal(StepKind.Update, step.Kind);
        Assert.Equal("~ size: 1 => 2", Assert.Single(step.Changes).Describe());
        var applied = await _h.UpAsync(Graph(("a", PropertyMap.Of(("size", 2), ("color", "red")))));
        Assert.Equal(StepStatus.Succeeded, Step(applied, "a").Status);
        Assert.Equal(2, _h.Provider.Live["a"].Get("size")!.AsNumber);
    }

    [Fact]
    public async Task A_change_to_a_replaceOnChanges_key_creates_the_replacement_before_deleting_the_old()
    {
        var options = new ResourceOptions { ReplaceOnChanges = ["name"] };
        var g1 = EngineHarness.NewGraph();
        g1.Resource(Thing, "a", "mem", PropertyMap.Of(("name", "a-v1")), options: options);
        await _h.UpAsync(g1);
        var g2 = EngineHarness.NewGraph();
        g2.Resource(Thing, "a", "mem", PropertyMap.Of(("name", "a-v2")), options: options);

        var result = await _h.UpAsync(g2);

        Assert.Equal([StepKind.Replace, StepKind.Delete], result.Outcomes.Where(o => o.Step.Name == "a").Select(o => o.Step.Kind));
        Assert.Equal(["create:a-v1", "create:a-v2", "delete:a-v1"], _h.Provider.Calls);
        Assert.Equal(["a-v2"], _h.Provider.Live.Keys);
        using var store = _h.OpenStore();
        Assert.Empty(store.State.Retired);
        Assert.Equal("a-v2", store.State.Live.Single().Id);
    }

    /// <summary>Replaces a (name a-v1 by a-v2) while the old half's delete fails, so both halves stay recorded.</summary>
    private async Task ReplaceLeavingTheOldHalf()
    {
        var options = new ResourceOptions { ReplaceOnChanges = ["name"] };
        var g1 = EngineHarness.NewGraph();
        g1.Resource(Thing, "a", "mem", PropertyMap.Of(("name", "a-v1")), options: options);
        await _h.UpAsync(g1);
        _h.Provider.FailOn.Add("delete:a-v1");
        var g2 = EngineHarness.NewGraph();
        g2.Resource(Thing, "a", "mem", PropertyMap.Of(("name", "a-v2")), options: options);
        await _h.UpAsync(g2);
        _h.Provider.FailOn.Clear();
    }

    [Fact]
    public async Task A_replacement_whose_old_half_could_not_be_deleted_keeps_both_halves_in_the_saved_state()
    {
        await ReplaceLeavingTheOldHalf();

        using var store = _h.OpenStore();

        Assert.Equal("a-v2", Assert.Single(store.State.Live).Id);
        Assert.Equal("a-v1", Assert.Single(store.State.Retired).Id);
    }

    [Fact]
    public async Task Refresh_records_drift_of_an_old_half_on_the_old_half_and_leaves_the_live_resource_alone()
    {
        await ReplaceLeavingTheOldHalf();
        _h.Provider.Live["a-v1"] = _h.Provider.Live["a-v1"].With("size", 9);

        var result = await _h.RefreshAsync();

        Assert.True(result.Succeeded);
        using var store = _h.OpenStore();
        Assert.Equal("a-v2", Assert.Single(store.State.Live).Id);
        var old = Assert.Single(store.State.Retired);
        Assert.Equal(("a-v1", 9.0), (old.Id, old.Outputs.Get("size")!.AsNumber));
    }

    [Fact]
    public async Task A_change_the_provider_cannot_update_in_place_replaces()
    {
        _h.Provider.ReplaceKeys = ["zone"];
        await _h.UpAsync(Graph(("a", PropertyMap.Of(("name", "a1"), ("zone", "x")))));

        var plan = await _h.PreviewAsync(Graph(("a", PropertyMap.Of(("name", "a2"), ("zone", "y")))));

        Assert.Equal(StepKind.Replace, Step(plan, "a").Step.Kind);
        Assert.Contains("zone", Step(plan, "a").Step.Reason);
    }

    [Fact]
    public async Task DeleteBeforeReplace_deletes_the_old_resource_first()
    {
        var options = new ResourceOptions { ReplaceOnChanges = ["name"], DeleteBeforeReplace = true };
        var g1 = EngineHarness.NewGraph();
        g1.Resource(Thing, "a", "mem", PropertyMap.Of(("name", "a-v1")), options: options);
        await _h.UpAsync(g1);
        var g2 = EngineHarness.NewGraph();
        g2.Resource(Thing, "a", "mem", PropertyMap.Of(("name", "a-v2")), options: options);

        await _h.UpAsync(g2);

        Assert.Equal(["create:a-v1", "delete:a-v1", "create:a-v2"], _h.Provider.Calls);
    }

    [Fact]
    public async Task IgnoreChanges_keeps_the_recorded_value_of_an_ignored_key()
    {
        var options = new ResourceOptions { IgnoreChanges = ["tag"] };
        var g1 = EngineHarness.NewGraph();
        g1.Resource(Thing, "a", "mem", PropertyMap.Of(("tag", "one"), ("size", 1)), options: options);
        await _h.UpAsync(g1);
        var g2 = EngineHarness.NewGraph();
        g2.Resource(Thing, "a", "mem", PropertyMap.Of(("tag", "two"), ("size", 1)), options: options);

        var result = await _h.UpAsync(g2);

        Assert.Equal(StepKind.Same, Step(result, "a").Step.Kind);
        Assert.Equal("one", _h.Provider.Live["a"].GetString("tag"));
    }

    [Fact]
    public async Task Dependencies_are_created_first_and_deleted_last()
    {
        var g = EngineHarness.NewGraph();
        var net = g.Resource(Thing, "network", "mem", PropertyMap.Empty);
        var vm = g.Resource(Thing, "vm", "mem", PropertyMap.Of(("network", net.Output("id"))));
        g.Resource(Thing, "disk", "mem", PropertyMap.Empty, options: new ResourceOptions { DependsOn = [vm.Urn] });

        await _h.UpAsync(g);
        await _h.UpAsync(EngineHarness.NewGraph());

        Assert.Equal(["create:network", "create:vm", "create:disk", "delete:disk", "delete:vm", "delete:network"], _h.Provider.Calls);
    }

    [Fact]
    public async Task A_reference_is_known_after_apply_in_preview_and_resolved_during_up()
    {
        var g = EngineHarness.NewGraph();
        var net = g.Resource(Thing, "network", "mem", PropertyMap.Empty);
        g.Resource(Thing, "vm", "mem", PropertyMap.Of(("network", net.Output("serial"))));

        var plan = await _h.PreviewAsync(g);
        await _h.UpAsync(g);

        var planned = Step(plan, "vm").Step.Changes.Single(c => c.Key == "network");
        Assert.Equal("+ network: (known after apply)", planned.Describe());
        Assert.Equal("network-serial", _h.Provider.Live["vm"].GetString("network"));
    }

    [Fact]
    public async Task A_failed_step_stops_only_its_dependents_and_independent_branches_finish()
    {
        _h.Provider.FailOn.Add("create:base");
        var g = EngineHarness.NewGraph();
        var broken = g.Resource(Thing, "base", "mem", PropertyMap.Empty);
        g.Resource(Thing, "child", "mem", PropertyMap.Of(("base", broken.Output("id"))));
        g.Resource(Thing, "independent", "mem", PropertyMap.Empty);

        var result = await _h.UpAsync(g);

        Assert.False(result.Succeeded);
        Assert.Equal(StepStatus.Failed, Step(result, "base").Status);
        Assert.Contains("failed on purpose", Step(result, "base").Error);
        Assert.Equal(StepStatus.Skipped, Step(result, "child").Status);
        Assert.Equal(StepStatus.Succeeded, Step(result, "independent").Status);
        Assert.Equal(["independent"], _h.Provider.Live.Keys);
    }

    [Fact]
    public async Task Invalid_inputs_fail_the_step_with_the_property_named()
    {
        var result = await _h.UpAsync(Graph(("a", PropertyMap.Of(("invalid", "x")))));

        var error = Assert.Single(result.Outcomes, o => o.Status == StepStatus.Failed).Error;
        Assert.Contains("invalid: is not allowed", error);
        Assert.Empty(_h.Provider.Live);
    }

    [Fact]
    public async Task At_most_the_configured_number_of_operations_run_at_once()
    {
        _h.Parallelism = 3;
        _h.Provider.Delay = TimeSpan.FromMilliseconds(20);
        var g = Graph([.. Enumerable.Range(0, 20).Select(i => ($"r{i}", PropertyMap.Empty))]);

        await _h.UpAsync(g);

        Assert.Equal(20, _h.Provider.Live.Count);
        Assert.InRange(_h.Provider.MaxConcurrency, 2, 3);
    }

    [Fact]
    public async Task A_custom_timeout_fails_a_step_that_runs_too_long()
    {
        _h.Provider.Delay = TimeSpan.FromSeconds(5);
        var g = EngineHarness.NewGraph();
        g.Resource(Thing, "slow", "mem", PropertyMap.Empty, options: new ResourceOptions { Timeouts = new CustomTimeouts(Create: TimeSpan.FromMilliseconds(50)) });

        var result = await _h.UpAsync(g);

        Assert.Contains("timed out", Step(result, "slow").Error);
    }

    [Fact]
    public async Task A_protected_resource_is_never_deleted_and_destroy_refuses_up_front()
    {
        var g = EngineHarness.NewGraph();
        g.Resource(Thing, "keep", "mem", PropertyMap.Empty, options: new ResourceOptions { Protect = true });
        g.Resource(Thing, "other", "mem", PropertyMap.Empty);
        await _h.UpAsync(g);

        var removed = await _h.UpAsync(EngineHarness.NewGraph());
        var destroy = await Assert.ThrowsAsync<ProtectedResourceException>(_h.DestroyAsync);

        Assert.Equal(StepStatus.Failed, Step(removed, "keep").Status);
        Assert.Contains("protected", Step(removed, "keep").Error);
        Assert.Contains("keep", destroy.Message);
        Assert.Contains("keep", _h.Provider.Live.Keys);
    }

    [Fact]
    public async Task A_protected_resource_is_never_replaced()
    {
        var options = new ResourceOptions { ReplaceOnChanges = ["name"], Protect = true };
        var g1 = EngineHarness.NewGraph();
        g1.Resource(Thing, "keep", "mem", PropertyMap.Of(("name", "v1")), options: options);
        await _h.UpAsync(g1);
        var g2 = EngineHarness.NewGraph();
        g2.Resource(Thing, "keep", "mem", PropertyMap.Of(("name", "v2")), options: options);

        var result = await _h.UpAsync(g2);

        Assert.Equal((StepKind.Replace, StepStatus.Failed), (Step(result, "keep").Step.Kind, Step(result, "keep").Status));
        Assert.Contains("protected and cannot be replaced", Step(result, "keep").Error);
        Assert.Equal(["create:v1"], _h.Provider.Calls);
        using var store = _h.OpenStore();
        Assert.Equal("v1", store.State.Live.Single().Id);
    }

    [Fact]
    public async Task Destroy_deletes_everything_dependents_first()
    {
        var g = EngineHarness.NewGraph();
        var a = g.Resource(Thing, "a", "mem", PropertyMap.Empty);
        g.Resource(Thing, "b", "mem", PropertyMap.Of(("a", a.Output("id"))));
        await _h.UpAsync(g);

        var result = await _h.DestroyAsync();

        Assert.True(result.Succeeded);
        Assert.Empty(_h.Provider.Live);
        Assert.Equal(["delete:b", "delete:a"], _h.Provider.Calls.Where(c => c.StartsWith("delete", StringComparison.Ordinal)));
        using var store = _h.OpenStore();
        Assert.Equal(0, store.State.Count);
    }

    [Fact]
    public async Task Stack_outputs_resolve_references_after_apply()
    {
        var g = EngineHarness.NewGraph();
        var a = g.Resource(Thing, "a", "mem", PropertyMap.Empty);
        g.Export("serial", a.Output("serial"));

        var result = await _h.UpAsync(g);

        Assert.Equal("a-serial", result.Outputs.GetString("serial"));
        using var store = _h.OpenStore();
        Assert.Equal("a-serial", store.State.Outputs.GetString("serial"));
    }
}
