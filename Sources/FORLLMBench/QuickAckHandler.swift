import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Re-arms Linux's TCP_QUICKACK after every read, so the bench acknowledges at once instead of
/// delaying the ACK by up to 40 ms.
///
/// A server that writes a reply in two small segments without TCP_NODELAY (INN's nnrpd sends
/// the status line, then the article) would otherwise wait for that delayed ACK under Nagle's
/// algorithm on every lockstep command, and the bench would measure the two kernels' timers
/// instead of the server. The option is not sticky on Linux, hence once per read. Installed for
/// both servers alike; elsewhere than Linux it does nothing.
final class QuickAckHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        #if os(Linux)
        _ = try? context.channel.syncOptions?.setOption(
            ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK))),
            value: 1
        )
        #endif
        context.fireChannelRead(data)
    }
}
