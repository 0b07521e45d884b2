using System.Net.Sockets;

namespace Users.Api.Tests.Infrastructure;

public sealed class MotoServerTests
{
    [Fact]
    public async Task The_emulator_stops_when_the_test_process_lets_go_of_its_leash()
    {
        using var moto = MotoServer.Start();
        using (var answering = new TcpClient())
        {
            await answering.ConnectAsync(moto.Endpoint.Host, moto.Endpoint.Port);
        }

        Assert.True(moto.DropLeash(TimeSpan.FromSeconds(30)), "moto_server still running after its leash was dropped");

        using var refused = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => refused.ConnectAsync(moto.Endpoint.Host, moto.Endpoint.Port));
    }
}
