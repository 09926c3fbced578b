//! A TCP proxy that sits between a Pulsar client and pulsar-lite.
//!
//! Why it exists: the Pulsar binary protocol makes the magic number `0x0e01` and the CRC32C
//! checksum in front of a payload's metadata optional. pulsar-lite leaves them out on the
//! MESSAGE frames it delivers; the Java, C++ and Go clients accept that, but the `pulsar` crate
//! (6.9.1) always expects them and fails with "Error decoding payload frame". Apache Pulsar
//! brokers always send them, so `dlq` talks to real clusters directly. For the local test and
//! quickstart broker this proxy restores them, so the stock crate sees what an Apache Pulsar
//! broker would send. It is test and quickstart tooling only and is not shipped in `dlq`.
//!
//! What it rewrites, broker → client only:
//! - a frame that carries a payload without the magic number gets `0x0e01` + CRC32C of the rest
//!   of the frame inserted after the command, and its total size adjusted;
//! - LOOKUP responses get the proxy's own address as broker URL, because a client connects to
//!   whatever address a lookup returns and would otherwise bypass the proxy; with a third
//!   argument, also that TLS URL (for a TLS terminator such as socat in front of the proxy).
//!
//! Client → broker bytes are copied unchanged.
//!
//! Usage: `pulsar-lite-proxy LISTEN_ADDR UPSTREAM_ADDR [TLS_URL]` (for example
//! `127.0.0.1:6651 127.0.0.1:16650`, or `… pulsar+ssl://127.0.0.1:6652`). With
//! `PULSAR_LITE_PROXY_TRACE=1` it logs every command to stderr, one line each: `up FLOW 1000`
//! (permits), `down MESSAGE 0:41` (ledger:entry), `up ACK`, … — how the broker's flow control
//! and re-sends were found (docs/BROKERS-NOTES.md).

use prost::Message as _;
use pulsar::message::proto::BaseCommand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAGIC_CRC32C: u16 = 0x0e01;

/// What lookup answers name as the broker: the proxy, and a TLS endpoint in front of it if any.
#[derive(Debug, Clone)]
struct Advertised {
    url: String,
    tls_url: Option<String>,
}
fn tracing() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("PULSAR_LITE_PROXY_TRACE").is_some_and(|v| v == "1"))
}

/// One trace line for a command going `way` ("up" to the broker, "down" to the client).
fn trace(way: &str, cmd: &BaseCommand) {
    let kind = cmd.r#type().as_str_name();
    if let Some(flow) = &cmd.flow {
        eprintln!("{way} {kind} {}", flow.message_permits);
    } else if let Some(m) = &cmd.message {
        eprintln!(
            "{way} {kind} {}:{}",
            m.message_id.ledger_id, m.message_id.entry_id
        );
    } else {
        eprintln!("{way} {kind}");
    }
}

/// Frames larger than this are refused, as Apache Pulsar's default `maxMessageSize` plus headroom.
const MAX_FRAME: usize = 64 * 1024 * 1024;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(upstream)) = (args.next(), args.next()) else {
        eprintln!("usage: pulsar-lite-proxy LISTEN_ADDR UPSTREAM_ADDR [TLS_URL]");
        std::process::exit(2);
    };
    let listener = match TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pulsar-lite-proxy: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    let own = Advertised {
        url: format!("pulsar://{}", listener.local_addr().expect("bound address")),
        tls_url: args.next(),
    };
    eprintln!("pulsar-lite-proxy: {} -> {upstream}", own.url);
    loop {
        let (client, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                eprintln!("pulsar-lite-proxy: accept failed: {e}");
                continue;
            }
        };
        let upstream = upstream.clone();
        let own = own.clone();
        tokio::spawn(async move {
            if let Err(e) = serve(client, &upstream, &own).await {
                eprintln!("pulsar-lite-proxy: connection from {peer}: {e}");
            }
        });
    }
}

async fn serve(client: TcpStream, upstream: &str, own: &Advertised) -> std::io::Result<()> {
    client.set_nodelay(true)?;
    let broker = TcpStream::connect(upstream).await?;
    broker.set_nodelay(true)?;
    let (mut client_rd, mut client_wr) = client.into_split();
    let (mut broker_rd, mut broker_wr) = broker.into_split();
    let upward = async {
        let r = if tracing() {
            trace_upward(&mut client_rd, &mut broker_wr).await
        } else {
            tokio::io::copy(&mut client_rd, &mut broker_wr)
                .await
                .map(drop)
        };
        let _ = broker_wr.shutdown().await;
        r
    };
    let downward = async {
        let r = relay_frames(&mut broker_rd, &mut client_wr, own).await;
        let _ = client_wr.shutdown().await;
        r
    };
    let (up, down) = tokio::join!(upward, downward);
    up.and(down)
}

/// Reads one whole frame (without its leading total-size field) into `frame`; false at the end
/// of the stream.
async fn read_frame<R: AsyncReadExt + Unpin>(
    from: &mut R,
    frame: &mut Vec<u8>,
) -> std::io::Result<bool> {
    let mut size = [0u8; 4];
    match from.read_exact(&mut size).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let total = u32::from_be_bytes(size) as usize;
    if total > MAX_FRAME {
        return Err(std::io::Error::other(format!("frame of {total} bytes")));
    }
    frame.clear();
    frame.resize(total, 0);
    from.read_exact(frame).await?;
    Ok(true)
}

/// Client → broker, tracing: copies whole frames unchanged, logging each command.
async fn trace_upward<R, W>(client: &mut R, broker: &mut W) -> std::io::Result<()>
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut frame = Vec::with_capacity(64 * 1024);
    while read_frame(client, &mut frame).await? {
        let cmd_size = frame
            .get(..4)
            .map_or(0, |b| u32::from_be_bytes(b.try_into().unwrap()) as usize);
        if let Some(Ok(cmd)) = frame.get(4..4 + cmd_size).map(BaseCommand::decode) {
            trace("up", &cmd);
        }
        broker
            .write_all(&(frame.len() as u32).to_be_bytes())
            .await?;
        broker.write_all(&frame).await?;
    }
    Ok(())
}

/// Reads whole frames from the broker, fixes them, writes them to the client.
async fn relay_frames<R, W>(broker: &mut R, client: &mut W, own: &Advertised) -> std::io::Result<()>
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut frame = Vec::with_capacity(64 * 1024);
    while read_frame(broker, &mut frame).await? {
        let fixed = fix_frame(&frame, own)?;
        client.write_all(&fixed).await?;
    }
    Ok(())
}

/// `body` is a frame without its leading total-size field. Returns the whole frame to send.
fn fix_frame(body: &[u8], own: &Advertised) -> std::io::Result<Vec<u8>> {
    let bad = |what: &str| std::io::Error::other(format!("malformed frame: {what}"));
    if body.len() < 4 {
        return Err(bad("no command size"));
    }
    let cmd_size = u32::from_be_bytes(body[..4].try_into().unwrap()) as usize;
    let cmd_end = 4 + cmd_size;
    if body.len() < cmd_end {
        return Err(bad("command longer than frame"));
    }
    let mut command = &body[4..cmd_end];
    let rest = &body[cmd_end..];

    let mut rewritten_cmd = None;
    if let Ok(mut cmd) = BaseCommand::decode(command) {
        if tracing() {
            trace("down", &cmd);
        }
        if let Some(lookup) = cmd.lookup_topic_response.as_mut() {
            if lookup.broker_service_url.is_some() {
                lookup.broker_service_url = Some(own.url.clone());
                if own.tls_url.is_some() {
                    lookup.broker_service_url_tls = own.tls_url.clone();
                }
                rewritten_cmd = Some(cmd.encode_to_vec());
            }
        }
    }
    if let Some(c) = rewritten_cmd.as_deref() {
        command = c;
    }

    let needs_checksum = !rest.is_empty() && !rest.starts_with(&MAGIC_CRC32C.to_be_bytes());
    let extra = if needs_checksum { 6 } else { 0 };
    let total = 4 + command.len() + extra + rest.len();
    let mut out = Vec::with_capacity(4 + total);
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(command.len() as u32).to_be_bytes());
    out.extend_from_slice(command);
    if needs_checksum {
        out.extend_from_slice(&MAGIC_CRC32C.to_be_bytes());
        out.extend_from_slice(&crc32c::crc32c(rest).to_be_bytes());
    }
    out.extend_from_slice(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_body(cmd: &[u8], rest: &[u8]) -> Vec<u8> {
        let mut b = (cmd.len() as u32).to_be_bytes().to_vec();
        b.extend_from_slice(cmd);
        b.extend_from_slice(rest);
        b
    }

    #[test]
    fn inserts_magic_and_crc_before_payload_without_them() {
        let cmd = BaseCommand {
            r#type: 9,
            ..Default::default()
        }
        .encode_to_vec();
        let rest = b"\x00\x00\x00\x02abpayload";
        let out = fix_frame(&frame_body(&cmd, rest), &plain("pulsar://127.0.0.1:1")).unwrap();
        let total = u32::from_be_bytes(out[..4].try_into().unwrap()) as usize;
        assert_eq!(total, out.len() - 4);
        let after_cmd = &out[8 + cmd.len()..];
        assert_eq!(&after_cmd[..2], &[0x0e, 0x01]);
        assert_eq!(
            u32::from_be_bytes(after_cmd[2..6].try_into().unwrap()),
            crc32c::crc32c(rest)
        );
        assert_eq!(&after_cmd[6..], rest);
    }

    #[test]
    fn leaves_frames_that_already_have_a_checksum() {
        let cmd = BaseCommand {
            r#type: 9,
            ..Default::default()
        }
        .encode_to_vec();
        let mut rest = vec![0x0e, 0x01, 1, 2, 3, 4];
        rest.extend_from_slice(b"\x00\x00\x00\x00x");
        let body = frame_body(&cmd, &rest);
        let out = fix_frame(&body, &plain("pulsar://127.0.0.1:1")).unwrap();
        assert_eq!(&out[4..], &body[..]);
    }

    fn plain(url: &str) -> Advertised {
        Advertised {
            url: url.into(),
            tls_url: None,
        }
    }

    #[test]
    fn rewrites_lookup_answers_to_the_proxy() {
        let cmd = BaseCommand {
            r#type: 24,
            lookup_topic_response: Some(pulsar::message::proto::CommandLookupTopicResponse {
                broker_service_url: Some("pulsar://127.0.0.1:16650".into()),
                request_id: 7,
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec();
        let out = fix_frame(&frame_body(&cmd, b""), &plain("pulsar://127.0.0.1:6651")).unwrap();
        let decoded = BaseCommand::decode(&out[8..]).unwrap();
        let lookup = decoded.lookup_topic_response.unwrap();
        assert_eq!(
            lookup.broker_service_url.as_deref(),
            Some("pulsar://127.0.0.1:6651")
        );
        assert_eq!(lookup.broker_service_url_tls, None);
        assert_eq!(lookup.request_id, 7);

        let tls = Advertised {
            url: "pulsar://127.0.0.1:6651".into(),
            tls_url: Some("pulsar+ssl://127.0.0.1:6652".into()),
        };
        let out = fix_frame(&frame_body(&cmd, b""), &tls).unwrap();
        let lookup = BaseCommand::decode(&out[8..])
            .unwrap()
            .lookup_topic_response
            .unwrap();
        assert_eq!(
            lookup.broker_service_url_tls.as_deref(),
            Some("pulsar+ssl://127.0.0.1:6652")
        );
    }
}
