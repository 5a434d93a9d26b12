using LabThings.Tests.Support;
using Xunit.Abstractions;

namespace LabThings.Tests.Core;

/// <summary>The namespaces of LabThings.Core depend on each other in one direction (Model/README.md, "Namespaces").</summary>
public sealed class NamespaceTests(ITestOutputHelper output)
{
    [Fact]
    public void CoreNamespaces_HaveNoCycles_AndFollowTheLayers()
    {
        var edges = NamespaceDependencies.Of(typeof(Thing).Assembly, "LabThings");
        foreach (var (from, to) in edges)
        {
            output.WriteLine($"{from} -> {string.Join(", ", to)}");
        }

        NamespaceDependencies.FindCycle(edges).Should().BeNull();
        edges["LabThings.Schema"].Should().BeEmpty("JSON schemas depend on nothing else of LabThings");
        edges["LabThings.Model"].Should().BeSubsetOf(["LabThings.Schema", "LabThings.Outputs"]);
        edges["LabThings"].Should().NotContain("LabThings.Description");
    }

    [Fact]
    public void Finder_SeesACycle()
    {
        var edges = new Dictionary<string, SortedSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
        };

        NamespaceDependencies.FindCycle(edges).Should().Equal("A", "B", "C", "A");
    }
}
