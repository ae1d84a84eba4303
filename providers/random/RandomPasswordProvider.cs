using System.Diagnostics;
using System.Security.Cryptography;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Providers.Random;

/// <summary>
/// <c>random:index:Password</c>: a password generated once (cryptographically random) and kept in state as a
/// secret, with its SHA-512 crypt hash (the form ScyllaDB's auth_superuser_salted_password takes), computed by the
/// real <c>openssl passwd -6</c>. Input <c>length</c> (default 32); changing it makes a new password.
/// </summary>
public sealed class RandomPasswordProvider : IResourceProvider
{
    public const string PasswordType = ResourceTypes.Password;
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var length = request.News.Get("length")?.AsNumber ?? 32;
        return Task.FromResult(length is < 16 or > 128
            ? CheckResult.Fail(request.News, new CheckFailure("length", "must be between 16 and 128"))
            : CheckResult.Ok(request.News));
    }

    public Task<DiffResult> DiffAsync(DiffRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(DiffResult.ByInputs(request.OldInputs, request.NewInputs, "length"));

    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken)
    {
        var length = (int)(request.Inputs.Get("length")?.AsNumber ?? 32);
        var password = RandomNumberGenerator.GetString(Alphabet, length);
        var hash = await Sha512Crypt(password, cancellationToken);
        return new CreateResult(request.Urn.Name, PropertyMap.Of(
            ("result", PropertyValue.Secret(password)),
            ("sha512crypt", PropertyValue.Secret(hash))));
    }

    public Task<ReadResult?> ReadAsync(ReadRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ReadResult?>(new ReadResult(request.Id, request.Outputs));

    public Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new UpdateResult(request.OldOutputs));

    public Task DeleteAsync(DeleteRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Create only computes: an interrupted one left nothing outside the state.</summary>
    public Task<FindResult> FindAsync(FindRequest request, CancellationToken cancellationToken) => Task.FromResult(FindResult.Absent);

    /// <summary>crypt(3) SHA-512 with a random salt; the password goes through stdin, never the command line.</summary>
    public static async Task<string> Sha512Crypt(string password, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "passwd", "-6", "-stdin" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start openssl");
        await process.StandardInput.WriteLineAsync(password.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        var output = (await process.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 || !output.StartsWith("$6$", StringComparison.Ordinal))
            throw new InvalidOperationException($"openssl passwd -6 failed (exit {process.ExitCode})");
        return output;
    }
}
