//! `sigwire-gateway`: run the gateway, check a configuration, or manage keys.
//!
//! ```text
//! sigwire-gateway run   --config gateway.toml [--no-access-log]
//! sigwire-gateway check --config gateway.toml
//! sigwire-gateway keys create ID [--tier T] [--not-after UNIX]  (--config F | --file KEYS | --redis URL [--namespace NS])
//! sigwire-gateway keys rotate ID [--grace SECONDS]              (same target options)
//! sigwire-gateway keys revoke ID                                (same target options)
//! sigwire-gateway keys list                                     (same target options)
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use sigwire_gateway::config::Config;
use sigwire_gateway::keys_admin::KeyTarget;
use sigwire_gateway::redis_conn::RedisConn;

/// mimalloc instead of the system allocator: the proxy's many small per-request allocations made
/// glibc malloc one of the largest costs in a profile under load (see gateway/bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  sigwire-gateway run   --config FILE [--no-access-log]
  sigwire-gateway check --config FILE
  sigwire-gateway keys create ID [--tier TIER] [--not-after UNIX_SECONDS] TARGET
  sigwire-gateway keys rotate ID [--grace SECONDS] TARGET      (default grace 3600)
  sigwire-gateway keys revoke ID TARGET
  sigwire-gateway keys list TARGET
TARGET: --config FILE (its Redis when keys.redis = true, else its keys file)
      | --file KEYS_FILE | --redis URL [--namespace NS]";

/// Parsed command-line options: positional words and `--name value` pairs.
struct Args {
    words: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(raw: Vec<String>) -> Result<Args, String> {
        let flags = ["--no-access-log"];
        let (mut words, mut options) = (Vec::new(), Vec::new());
        let mut it = raw.into_iter();
        while let Some(a) = it.next() {
            if flags.contains(&a.as_str()) {
                options.push((a, None));
            } else if a.starts_with("--") {
                let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
                options.push((a, Some(v)));
            } else {
                words.push(a);
            }
        }
        Ok(Args { words, options })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    fn number(&self, name: &str) -> Result<Option<u64>, String> {
        self.get(name)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("{name}: `{v}` is not a whole number"))
            })
            .transpose()
    }
}

fn load_config(args: &Args) -> Result<Config, String> {
    let path = args.get("--config").ok_or("--config FILE is required")?;
    Config::load(&PathBuf::from(path)).map_err(|e| e.to_string())
}

fn key_target(args: &Args) -> Result<KeyTarget, String> {
    if let Some(file) = args.get("--file") {
        return Ok(KeyTarget::File(PathBuf::from(file)));
    }
    if let Some(url) = args.get("--redis") {
        let ns = args.get("--namespace").unwrap_or("sigwire");
        let conn = RedisConn::new(url, ns, Duration::from_secs(2)).map_err(|e| e.to_string())?;
        return Ok(KeyTarget::Redis(Arc::new(conn)));
    }
    let config = load_config(args)?;
    match (&config.redis, config.keys.redis, &config.keys.file) {
        (Some(r), true, _) => {
            let conn = RedisConn::new(&r.url, &r.namespace, Duration::from_secs(2))
                .map_err(|e| e.to_string())?;
            Ok(KeyTarget::Redis(Arc::new(conn)))
        }
        (_, _, Some(file)) => Ok(KeyTarget::File(file.clone())),
        _ => Err(
            "the configuration has no keys file and no Redis keys; use --file or --redis".into(),
        ),
    }
}

async fn keys_command(args: &Args) -> Result<(), String> {
    let action = args.words.get(1).map(String::as_str).ok_or(USAGE)?;
    let target = key_target(args)?;
    let id = || {
        args.words
            .get(2)
            .map(String::as_str)
            .ok_or_else(|| format!("keys {action} needs a key id"))
    };
    match action {
        "create" => {
            let tier = args.get("--tier").map(str::to_owned);
            let secret = target
                .create(id()?, tier, args.number("--not-after")?)
                .await?;
            eprintln!(
                "created key id `{}`; the secret below is shown once and stored nowhere else:",
                id()?
            );
            println!("{secret}");
        }
        "rotate" => {
            let grace = args.number("--grace")?.unwrap_or(3600);
            let secret = target.rotate(id()?, grace).await?;
            eprintln!(
                "rotated `{}`: older secrets retire in {grace}s; the new secret is shown once:",
                id()?
            );
            println!("{secret}");
        }
        "revoke" => {
            let n = target.revoke(id()?).await?;
            println!(
                "revoked `{}` ({n} secret(s)); gateways drop it within their reload interval",
                id()?
            );
        }
        "list" => {
            for k in target.list().await? {
                let ends: Vec<String> = k
                    .not_after
                    .iter()
                    .map(|t| t.map_or("never".to_owned(), |t| t.to_string()))
                    .collect();
                println!(
                    "{}\ttier={}\tsecrets={}\tnot_after={}",
                    k.id,
                    k.tier.as_deref().unwrap_or("-"),
                    ends.len(),
                    ends.join(",")
                );
            }
        }
        other => return Err(format!("unknown keys action `{other}`\n{USAGE}")),
    }
    Ok(())
}

async fn run(args: Args) -> Result<(), String> {
    match args.words.first().map(String::as_str) {
        Some("run") => {
            let config = load_config(&args)?;
            let running = sigwire_gateway::start(config, !args.has("--no-access-log")).await?;
            let line = serde_json::json!({
                "event": "listening",
                "proxy": running.proxy.to_string(),
                "admin": running.admin.to_string(),
            });
            eprintln!("{line}");
            tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
            Ok(())
        }
        Some("check") => {
            let config = load_config(&args)?;
            println!(
                "configuration is valid: {} route(s), {} upstream(s)",
                config.routes.len(),
                config.upstreams.len()
            );
            Ok(())
        }
        Some("keys") => keys_command(&args).await,
        _ => Err(USAGE.to_owned()),
    }
}

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1).collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The proxy's requests run on worker threads of their own (server.rs); this runtime only
    // accepts connections, serves the admin listener and reloads keys.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
