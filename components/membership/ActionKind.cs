namespace ScyllaApocryph.Components.Membership;

public enum ActionKind
{
    /// <summary>Nothing safe to do yet; the reason says what is awaited.</summary>
    Wait,

    /// <summary>Boot a new slot's empty instance as a fresh node (scale-up).</summary>
    Join,

    /// <summary>Boot a slot's empty instance with <c>replace_node_first_boot=&lt;dead host id&gt;</c>.</summary>
    Replace,

    /// <summary><c>removenode</c> a dead member whose slot was deleted from the stack.</summary>
    Remove,

    /// <summary><c>decommission</c> an up member whose slot was deleted from the stack (scale-down).</summary>
    Decommission,

    /// <summary>Unsafe to do anything: the Raft majority is lost; an operator must act.</summary>
    Refuse,
}
