//! `keyform serve`: opens the working directory's world, prints where it listens and the
//! environment a client needs, and serves until interrupted (see [`crate::serve`]).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use super::args::ServeArgs;
use super::{Ctx, Failure};
use crate::serve::{AuthMode, ServeError, Server, Service};

fn failure(summary: &str, e: ServeError) -> Failure {
    Failure::msg(summary, e.to_string())
}

pub(crate) fn serve(ctx: &Ctx, a: &ServeArgs) -> Result<u8, Failure> {
    let ip: IpAddr = a.bind.parse().map_err(|_| {
        Failure::msg(
            "Invalid -bind",
            format!(
                "{:?} is not an IP address: use 127.0.0.1 (the default), ::1, or 0.0.0.0 to listen on every interface.",
                a.bind
            ),
        )
    })?;
    if !ip.is_loopback() {
        eprintln!(
            "Warning: listening on {ip}, not loopback: anyone who can reach this machine can call the simulated cloud (plain HTTP: aws:SecureTransport is false for them); the control endpoints (reset, clock) answer them only with the control token."
        );
    }
    let auth = if a.auth == "lenient" {
        AuthMode::Lenient
    } else {
        AuthMode::Strict
    };
    let region = crate::engine::configured_region(&ctx.dir);
    let mut service = Service::open(&ctx.dir, auth, &region)
        .map_err(|e| failure("Cannot serve this working directory", e))?;
    let (id, secret) = service
        .admin_key()
        .map_err(|e| failure("Cannot serve this working directory", e))?;
    let region = service.region();
    let service_token = service.control_token().to_string();
    let server = Server::bind(service, SocketAddr::new(ip, a.port))
        .map_err(|e| failure("Cannot listen", e))?
        .quiet(a.quiet);
    let addr = server
        .local_addr()
        .map_err(|e| failure("Cannot listen", e))?;
    let host = if ip.is_unspecified() {
        SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port()).to_string()
    } else {
        addr.to_string()
    };
    println!("listening on {addr}");
    if auth == AuthMode::Lenient {
        println!("auth: lenient (unknown access keys and unsigned requests act as lab-admin)");
    }
    println!(
        "control token: {} (header X-Keyform-Token: needed for /_keyform/* and /moto-api/reset off loopback)",
        service_token
    );
    println!(
        "export AWS_ENDPOINT_URL=http://{host} AWS_ACCESS_KEY_ID={id} AWS_SECRET_ACCESS_KEY={} AWS_DEFAULT_REGION={region}",
        secret.as_str()
    );
    let _ = std::io::stdout().flush();
    if let Some(f) = &a.ready_file {
        let path = ctx.dir.join(f);
        crate::fsutil::atomic_write(&path, host.as_bytes()).map_err(|e| {
            Failure::msg(
                "Cannot write -ready-file",
                format!("{}: {e}", path.display()),
            )
        })?;
    }
    server.run().map_err(|e| failure("The server stopped", e))?;
    eprintln!("keyform serve: stopped; the world is saved in .keyform/");
    Ok(0)
}
