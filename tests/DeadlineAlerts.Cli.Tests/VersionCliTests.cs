namespace DeadlineAlerts.Cli.Tests;

public sealed class VersionCliTests : DlaTestBase
{
    [Fact]
    public async Task Version_names_the_tz_data_in_use()
    {
        var (code, stdout, stderr) = await Dla("--version");

        Assert.Equal(0, code);
        Assert.Contains("tz data 2026f (embedded; embedded 2026f)", stdout);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("AccountKey", stdout + stderr);
    }
}
