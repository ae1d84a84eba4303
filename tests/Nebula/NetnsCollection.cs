namespace ScyllaApocryph.Tests.Nebula;

/// <summary>Namespace tests run one class at a time: they start many processes on a small machine.</summary>
[CollectionDefinition(Name)]
public sealed class NetnsCollection
{
    public const string Name = "netns";
}
