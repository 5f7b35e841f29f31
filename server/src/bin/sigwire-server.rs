//! `sigwire-server`: the reference server for tests of every SDK and for the demo.
//!
//! ```text
//! sigwire-server [--host 127.0.0.1] [--port 0] [--print-port] [--key ID:HEX]... [--window 300]
//!                [--clock-offset SECONDS] [--body-limit BYTES] [--spool-threshold BYTES]
//!                [--authority HOST[:PORT]]...
//!                [--any-authority] [--header-timeout 20] [--body-timeout 60] [--idle-timeout 90]
//!                [--replay-per-key-quota NONCES] [--require-signed-header NAME]...
//! ```
//!
//! Audience: `--authority` (repeatable) declares the `host[:port]` clients sign; any other `Host`
//! gets 421 `misdirected_request`. Without it, a server on a loopback address serves loopback
//! hosts only (any port), and a server on any other address refuses to start unless
//! `--any-authority` says that any `Host` is fine. Timeouts are in seconds: the request head
//! (also the keep-alive idle time), the request body from its first read, and a connection that
//! makes no progress.
//!
//! With `--print-port` the bound port is printed alone on the first line of stdout (so a test in
//! another language can start it with `--port 0` and read the port). Test controls are served
//! under `/_control/…` to loopback peers only (see the crate docs of `sigwire_server::reference`).
//! Without `--key`, the demo key `demo-client` with the secret
//! `000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f` is accepted.
//! Stops on Ctrl-C / SIGTERM, or when stdin reaches end of file with `--exit-on-stdin-eof`.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use sigwire_server::reference::ReferenceServer;

const DEMO_KEY_ID: &str = "demo-client";
const DEMO_SECRET_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

const USAGE: &str = "usage: sigwire-server [--host ADDR] [--port N] [--print-port] [--key ID:HEX]... \
[--window SECONDS] [--clock-offset SECONDS] [--body-limit BYTES] [--spool-threshold BYTES] [--authority HOST[:PORT]]... [--any-authority] \
[--header-timeout SECONDS] [--body-timeout SECONDS] [--idle-timeout SECONDS] [--replay-per-key-quota NONCES] \
[--require-signed-header NAME]... [--exit-on-stdin-eof]";

#[derive(Debug)]
struct Args {
    host: IpAddr,
    port: u16,
    print_port: bool,
    keys: Vec<(String, Vec<u8>)>,
    window: u64,
    clock_offset: i64,
    body_limit: Option<usize>,
    spool_threshold: Option<usize>,
    authorities: Vec<String>,
    any_authority: bool,
    header_timeout: Option<u64>,
    body_timeout: Option<u64>,
    idle_timeout: Option<u64>,
    replay_per_key_quota: Option<usize>,
    required_signed_headers: Vec<String>,
    exit_on_stdin_eof: bool,
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A timeout in whole seconds, at least 1.
fn seconds(value: &str, flag: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{flag}: a whole number of seconds, at least 1")),
    }
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        host: IpAddr::from([127, 0, 0, 1]),
        port: 0,
        print_port: false,
        keys: Vec::new(),
        window: sigwire_core::DEFAULT_WINDOW,
        clock_offset: 0,
        body_limit: None,
        spool_threshold: None,
        authorities: Vec::new(),
        any_authority: false,
        header_timeout: None,
        body_timeout: None,
        idle_timeout: None,
        replay_per_key_quota: None,
        required_signed_headers: Vec::new(),
        exit_on_stdin_eof: false,
    };
    while let Some(flag) = argv.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| argv.next())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--host" => {
                args.host = value("an address")?
                    .parse()
                    .map_err(|_| "--host: not an IP address")?
            }
            "--port" => {
                args.port = value("a port")?
                    .parse()
                    .map_err(|_| "--port: not a port number")?
            }
            "--print-port" => args.print_port = true,
            "--exit-on-stdin-eof" => args.exit_on_stdin_eof = true,
            "--window" => {
                args.window = value("seconds")?
                    .parse()
                    .map_err(|_| "--window: not a number")?
            }
            "--clock-offset" => {
                args.clock_offset = value("seconds")?
                    .parse()
                    .map_err(|_| "--clock-offset: not an integer")?;
            }
            "--body-limit" => {
                args.body_limit = Some(
                    value("bytes")?
                        .parse()
                        .map_err(|_| "--body-limit: not a number")?,
                );
            }
            "--spool-threshold" => {
                args.spool_threshold = Some(
                    value("bytes")?
                        .parse()
                        .map_err(|_| "--spool-threshold: not a number")?,
                );
            }
            "--authority" => args.authorities.push(value("HOST[:PORT]")?),
            "--any-authority" => args.any_authority = true,
            "--header-timeout" => {
                args.header_timeout = Some(seconds(&value("seconds")?, "--header-timeout")?)
            }
            "--body-timeout" => {
                args.body_timeout = Some(seconds(&value("seconds")?, "--body-timeout")?)
            }
            "--idle-timeout" => {
                args.idle_timeout = Some(seconds(&value("seconds")?, "--idle-timeout")?)
            }
            "--replay-per-key-quota" => {
                args.replay_per_key_quota = Some(
                    value("nonces")?
                        .parse()
                        .map_err(|_| "--replay-per-key-quota: not a number")?,
                );
            }
            "--require-signed-header" => args.required_signed_headers.push(value("a header name")?),
            "--key" => {
                let v = value("ID:HEX")?;
                // The key id may itself contain ':', so split at the last one.
                let (id, hex) = v.rsplit_once(':').ok_or("--key: expected ID:HEX")?;
                let secret = decode_hex(hex).ok_or("--key: the secret must be hex")?;
                args.keys.push((id.to_owned(), secret));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("sigwire-server: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sigwire-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let mut builder = ReferenceServer::builder()
        .bind(SocketAddr::new(args.host, args.port))
        .window(args.window)
        .clock_offset(args.clock_offset);
    if let Some(threshold) = args.spool_threshold {
        builder = builder.spool_threshold(threshold);
    }
    if let Some(limit) = args.body_limit {
        builder = builder.body_limit(limit);
    }
    builder = builder.authorities(&args.authorities);
    if args.any_authority {
        builder = builder.any_authority();
    } else if args.authorities.is_empty() {
        eprintln!("sigwire-server: no --authority given; serving loopback hosts only (localhost, 127.0.0.1, [::1])");
    }
    let secs = Duration::from_secs;
    if let Some(s) = args.header_timeout {
        builder = builder.header_timeout(secs(s));
    }
    if let Some(s) = args.body_timeout {
        builder = builder.body_timeout(secs(s));
    }
    if let Some(s) = args.idle_timeout {
        builder = builder.idle_timeout(secs(s));
    }
    if let Some(quota) = args.replay_per_key_quota {
        builder = builder.replay_per_key_quota(quota);
    }
    for name in &args.required_signed_headers {
        builder = builder.require_signed_header(name);
    }
    let keys = if args.keys.is_empty() {
        eprintln!("sigwire-server: no --key given; accepting the demo key {DEMO_KEY_ID:?}");
        vec![(
            DEMO_KEY_ID.to_owned(),
            decode_hex(DEMO_SECRET_HEX).unwrap_or_default(),
        )]
    } else {
        args.keys
    };
    for (id, secret) in keys {
        builder = builder.key(&id, secret);
    }
    let server = match builder.spawn().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sigwire-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.print_port {
        println!("{}", server.addr().port());
        let _ = std::io::stdout().flush();
    }
    eprintln!("sigwire-server: listening on {}", server.base_url());

    let stdin_eof = async {
        if args.exit_on_stdin_eof {
            let _ = tokio::task::spawn_blocking(|| {
                std::io::copy(&mut std::io::stdin(), &mut std::io::sink())
            })
            .await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = stdin_eof => {}
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags() {
        let a = parse(&[
            "--port",
            "0",
            "--print-port",
            "--key",
            "a:b:00ff",
            "--clock-offset=-600",
            "--window",
            "60",
        ])
        .unwrap();
        assert_eq!(
            (a.port, a.print_port, a.clock_offset, a.window),
            (0, true, -600, 60)
        );
        assert_eq!(a.keys, vec![("a:b".to_owned(), vec![0, 255])]);
        assert!(parse(&["--key", "a:zz"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert_eq!(parse(&["--help"]).unwrap_err(), "");
        let a = parse(&[
            "--authority",
            "api.test:8443",
            "--authority=b.test",
            "--any-authority",
            "--body-timeout",
            "5",
        ])
        .unwrap();
        assert_eq!(
            (a.authorities, a.any_authority, a.body_timeout),
            (vec!["api.test:8443".into(), "b.test".into()], true, Some(5))
        );
        assert!(parse(&["--idle-timeout", "0"]).is_err());
        assert_eq!(
            parse(&["--replay-per-key-quota", "7"])
                .unwrap()
                .replay_per_key_quota,
            Some(7)
        );
        assert!(parse(&["--header-timeout", "x"]).is_err());
    }
}
