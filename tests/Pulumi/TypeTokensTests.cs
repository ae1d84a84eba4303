using ScyllaApocryph.Pulumi.Protocol;

namespace ScyllaApocryph.Tests.Pulumi;

public sealed class TypeTokensTests
{
    [Theory]
    [InlineData("render:index:File", "scylla-apocryph:render:File")]
    [InlineData("tls:index:Certificate", "scylla-apocryph:tls:Certificate")]
    [InlineData("scylla:index:Cluster", "scylla-apocryph:scylla:Cluster")]
    [InlineData("kubernetes:apps/v1:StatefulSet", "scylla-apocryph:kubernetes/apps/v1:StatefulSet")]
    [InlineData("kubernetes:core/v1:Secret", "scylla-apocryph:kubernetes/core/v1:Secret")]
    public void Engine_tokens_map_into_package_scylla_apocryph_and_back(string engine, string pulumi)
    {
        Assert.Equal(pulumi, TypeTokens.ToPulumi(engine));
        Assert.Equal(engine, TypeTokens.ToEngine(pulumi));
    }

    [Theory]
    [InlineData("aws:s3/bucket:Bucket")]
    [InlineData("scylla-apocryph::File")]
    [InlineData("scylla-apocryph:render")]
    public void A_token_of_another_package_or_shape_is_refused_naming_it(string token)
    {
        var e = Assert.Throws<ArgumentException>(() => TypeTokens.ToEngine(token));
        Assert.Contains(token, e.Message);
    }
}
