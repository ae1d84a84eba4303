namespace ScyllaApocryph.Components.Mesh;

/// <summary>What the mesh rules need to know about a hosting provider of the stack.</summary>
/// <param name="Name">The provider's name in the stack config (used in messages).</param>
/// <param name="IsApocryph">Apocryph pods have no UDP ports, no TUN device and no capabilities.</param>
public sealed record MeshProvider(string Name, bool IsApocryph);
