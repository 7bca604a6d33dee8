//! `keyform serve` and `keyform console`: open the working directory's world, print where it
//! listens (the environment a client needs, the console's URL and lab-admin's console password
//! when it is first set) and serve until interrupted (see [`crate::serve`], [`crate::console`]).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use super::args::{ConsoleArgs, ServeArgs};
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
    run(
        ctx,
        ip,
        a.port,
        a.ready_file.as_deref(),
        auth,
        false,
        a.quiet,
    )
}

/// `keyform console`: the same server on loopback, announced by its console URL.
pub(crate) fn console(ctx: &Ctx, a: &ConsoleArgs) -> Result<u8, Failure> {
    let ip = IpAddr::from([127, 0, 0, 1]);
    run(
        ctx,
        ip,
        a.port,
        a.ready_file.as_deref(),
        AuthMode::Strict,
        true,
        false,
    )
}

fn run(
    ctx: &Ctx,
    ip: IpAddr,
    port: u16,
    ready_file: Option<&std::path::Path>,
    auth: AuthMode,
    console_first: bool,
    quiet: bool,
) -> Result<u8, Failure> {
    let region = crate::engine::configured_region(&ctx.dir);
    let mut service = Service::open(&ctx.dir, auth, &region)
        .map_err(|e| failure("Cannot serve this working directory", e))?;
    // Only `keyform console` gives lab-admin a password: `serve` leaves the world as it is.
    let (console_password, root_password) = if console_first {
        let admin = service
            .console_password()
            .map_err(|e| failure("Cannot serve this working directory", e))?;
        let root = service
            .root_password()
            .map_err(|e| failure("Cannot serve this working directory", e))?;
        (admin, root)
    } else {
        (None, None)
    };
    let root_email = service.cloud.root_email();
    let root_line = match &root_password {
        Some((email, pw)) => format!(
            "console root user: {email} (password, shown once: {})",
            pw.as_str()
        ),
        None if service.cloud.world.iam.root_login.is_some() => {
            format!("console root user: {root_email} (signs in with the password set before)")
        }
        None => "console root user: no password (`keyform console` sets one)".into(),
    };
    let has_password = service
        .cloud
        .world
        .iam
        .users
        .get(crate::sim::LAB_ADMIN)
        .is_some_and(|u| u.login_profile.is_some());
    let account = service.cloud.world.account_id.clone();
    let (id, secret) = service
        .admin_key()
        .map_err(|e| failure("Cannot serve this working directory", e))?;
    let region = service.region();
    let service_token = service.control_token().to_string();
    let server = Server::bind(service, SocketAddr::new(ip, port))
        .map_err(|e| failure("Cannot listen", e))?
        .quiet(quiet);
    let addr = server
        .local_addr()
        .map_err(|e| failure("Cannot listen", e))?;
    let host = if ip.is_unspecified() {
        SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port()).to_string()
    } else {
        addr.to_string()
    };
    let console_line = format!(
        "console: http://{host}/_console/ (account {account}; {})",
        match &console_password {
            Some(pw) => format!("lab-admin's console password, shown once: {}", pw.as_str()),
            None if has_password =>
                "lab-admin signs in with the console password set before".into(),
            None => "lab-admin has no console password: `keyform console` sets one".into(),
        }
    );
    if console_first {
        println!("{console_line}");
        println!("{root_line}");
    }
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
    if !console_first {
        println!("{console_line}");
        println!("{root_line}");
    }
    let _ = std::io::stdout().flush();
    if let Some(f) = ready_file {
        let path = ctx.dir.join(f);
        crate::fsutil::atomic_write(&path, host.as_bytes()).map_err(|e| {
            Failure::msg(
                "Cannot write -ready-file",
                format!("{}: {e}", path.display()),
            )
        })?;
    }
    server.run().map_err(|e| failure("The server stopped", e))?;
    eprintln!(
        "keyform {}: stopped; the world is saved in .keyform/",
        if console_first { "console" } else { "serve" }
    );
    Ok(0)
}
