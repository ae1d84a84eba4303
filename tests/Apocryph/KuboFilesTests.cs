using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>Adding, reading and unpinning files through Kubo's HTTP API, against the Kubo double.</summary>
public sealed class KuboFilesTests
{
    [Fact]
    public async Task Add_answers_the_CID_Kubo_gives_and_cat_and_pin_rm_behave_as_Kubo()
    {
        await using var kubo = new KuboApiDouble();
        using var http = new HttpClient();
        var files = new KuboFiles(http, kubo.ApiUrl);

        // `echo "hello world" | ipfs add` and an empty file: Kubo's well-known answers.
        var cid = await files.AddAsync("hello world\n"u8.ToArray(), default);
        Assert.Equal("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", cid);
        Assert.Equal("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", await files.AddAsync([], default));
        using (var cat = await http.PostAsync(new Uri(kubo.ApiUrl, "api/v0/cat?arg=" + cid), null))
            Assert.Equal("hello world\n", await cat.Content.ReadAsStringAsync());
        Assert.Contains(cid, kubo.Pins);

        await files.UnpinAsync(cid, default);
        await files.UnpinAsync(cid, default); // not pinned any more: already done
        Assert.DoesNotContain(cid, kubo.Pins);
    }

    [Fact]
    public void A_CID_turns_into_the_bytes_a_manifest_carries_and_back()
    {
        var v0 = CidText.ToBytes("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
        Assert.Equal([0x12, 0x20], v0[..2]); // sha2-256 multihash, 32 bytes
        Assert.Equal(34, v0.Length);
        Assert.Equal("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", CidText.ToText(v0));
        const string v1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
        Assert.Equal(v1, CidText.ToText(CidText.ToBytes(v1)));
    }

    [Fact]
    public void A_sealed_secret_opens_with_its_key_only()
    {
        var key = SecretSealing.NewKey();
        var sealedBytes = SecretSealing.Seal(key, "secret"u8.ToArray());

        Assert.Equal(12 + 6 + 16, sealedBytes.Length); // nonce, ciphertext, tag: upstream aes.go's layout
        Assert.Equal("secret"u8.ToArray(), SecretOpening.Open(key, sealedBytes));
        Assert.Equal("cipher: message authentication failed",
            Assert.Throws<SecretRefusedException>(() => SecretOpening.Open(SecretSealing.NewKey(), sealedBytes)).Message);
    }

    [Fact]
    public async Task Every_secret_volume_is_uploaded_sealed_and_left_with_only_its_cid_and_key()
    {
        await using var kubo = new KuboApiDouble();
        var pod = Google.Protobuf.JsonParser.Default.Parse<ScyllaApocryph.Components.Apocryph.Proto.Pod>("""
            {"volumes":[{"name":"a","type":"VOLUME_SECRET","secret":{"contents":"YQ=="}},
                        {"name":"b","type":"VOLUME_SECRET","secret":{"contentsString":"b"}},
                        {"name":"c","type":"VOLUME_SECRET","secret":{}},
                        {"name":"d","type":"VOLUME_FILESYSTEM"}]}
            """);

        var cids = await SecretUpload.UploadAsync(pod, new KuboFiles(new HttpClient(), kubo.ApiUrl), default);

        Assert.Equal(3, cids.Count);
        var opened = pod.Volumes.Take(3).Select(v =>
        {
            Assert.True(v.Secret.Contents.IsEmpty && v.Secret.ContentsString == "");
            return System.Text.Encoding.UTF8.GetString(SecretOpening.Open(v.Secret.Key.Data.ToByteArray(), kubo.Files[CidText.ToText(v.Secret.Cid.ToByteArray())]));
        });
        Assert.Equal(["a", "b", ""], opened);
        Assert.Null(pod.Volumes[3].Secret);
    }
}
