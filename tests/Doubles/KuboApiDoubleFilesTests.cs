using System.Text;
using ScyllaApocryph.Providers.Apocryph.Registry;

namespace ScyllaApocryph.Tests.Doubles;

public sealed class KuboApiDoubleFilesTests
{
    [Fact]
    public void A_file_gets_the_CID_Kubo_gives_it_with_its_defaults()
    {
        // `echo "hello world" | ipfs add` and the empty file: CIDs well known from Kubo's documentation and tests.
        Assert.Equal("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", UnixFsFile.Cid(Encoding.ASCII.GetBytes("hello world\n")));
        Assert.Equal("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", UnixFsFile.Cid([]));
    }

    [Fact]
    public async Task Cat_answers_an_added_file_and_refuses_an_unknown_or_malformed_CID()
    {
        await using var kubo = new KuboApiDouble();
        using var http = new HttpClient();
        var cid = kubo.AddFile([1, 2, 0xff, 0]);

        Assert.Equal(new byte[] { 1, 2, 0xff, 0 }, await KuboFiles.CatAsync(http, kubo.ApiUrl, cid, default));
        var unknown = await Assert.ThrowsAsync<KuboFileException>(() => KuboFiles.CatAsync(http, kubo.ApiUrl, UnixFsFile.Cid([9]), default));
        Assert.Contains("block was not found locally", unknown.Message);
        var malformed = await Assert.ThrowsAsync<KuboFileException>(() => KuboFiles.CatAsync(http, kubo.ApiUrl, "not-a-cid", default));
        Assert.Contains("invalid path", malformed.Message);
    }
}
