//! The listening server: connections (bounded, see [`super::limits`]), HTTP/1.1 through
//! hyper, each request admitted on its head before its body is read, and the request log
//! (one line per request on stderr, unless quiet).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use super::group_commit::GroupCommit;
use super::limits::{self, Admission, BodyError, Budget};
use super::{
    Request, Response, ServeError, Service, WireError, error_response, request_id, s3,
    unsaved_response,
};

/// A listening server: bound, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    service: Arc<Mutex<Service>>,
    commits: Arc<GroupCommit>,
    quiet: bool,
}

impl Server {
    /// Binds `addr` (port 0 picks a free one).
    pub fn bind(mut service: Service, addr: SocketAddr) -> Result<Server, ServeError> {
        let listener = std::net::TcpListener::bind(addr).map_err(|e| ServeError::Bind {
            addr,
            message: e.to_string(),
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|e| ServeError::Other(e.to_string()))?;
        service.defer_journal_syncs();
        Ok(Server {
            listener,
            service: Arc::new(Mutex::new(service)),
            commits: Arc::new(GroupCommit::new()),
            quiet: false,
        })
    }

    /// Whether to leave out the request log.
    pub fn quiet(mut self, quiet: bool) -> Server {
        self.quiet = quiet;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        self.listener
            .local_addr()
            .map_err(|e| ServeError::Other(e.to_string()))
    }

    /// Serves until Ctrl-C (or SIGTERM), then snapshots the world.
    pub fn run(self) -> Result<(), ServeError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| ServeError::Other(format!("could not start the server: {e}")))?;
        let service = self.service.clone();
        let quiet = self.quiet;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)
                .map_err(|e| ServeError::Other(e.to_string()))?;
            let stop = shutdown_signal();
            tokio::pin!(stop);
            let budget = Budget::default();
            loop {
                // A connection slot first: past MAX_CONNECTIONS, new clients wait in the
                // listen queue instead of costing memory.
                let slot = tokio::select! {
                    _ = &mut stop => break,
                    slot = budget.connections.clone().acquire_owned() => match slot {
                        Ok(s) => s,
                        Err(_) => break,
                    },
                };
                let accepted = tokio::select! {
                    _ = &mut stop => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((stream, peer)) = accepted else {
                    continue;
                };
                let svc = self.service.clone();
                let commits = self.commits.clone();
                let budget = budget.clone();
                tokio::spawn(async move {
                    serve_connection(stream, peer, svc, commits, budget, quiet).await;
                    drop(slot);
                });
            }
            Ok::<(), ServeError>(())
        })?;
        let mut s = service
            .lock()
            .map_err(|_| ServeError::Other("the world's lock was poisoned".into()))?;
        s.snapshot()
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    service: Arc<Mutex<Service>>,
    commits: Arc<GroupCommit>,
    budget: Budget,
    quiet: bool,
) {
    let _ = stream.set_nodelay(true);
    let io = hyper_util::rt::TokioIo::new(stream);
    let handler = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let service = service.clone();
        let commits = commits.clone();
        let budget = budget.clone();
        async move {
            let started = std::time::Instant::now();
            let resp = answer(req, peer, &service, &commits, &budget).await;
            if !quiet {
                use std::io::Write as _;
                let line = super::log_line(
                    super::clock::wall_clock_now(),
                    &resp,
                    started.elapsed().as_millis(),
                );
                // A closed stderr must not stop the server.
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            Ok::<_, std::convert::Infallible>(to_hyper(resp))
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits::HEADER_TIMEOUT)
        .serve_connection(io, handler)
        .await;
}

const POISONED: &str = "the world's lock was poisoned by an earlier failure; restart keyform serve";

/// One request: its head admitted first, then its body read (only then: reading it is also
/// what makes hyper send `100 Continue` to clients that wait for it, botocore's PutObject),
/// then answered.
async fn answer(
    req: hyper::Request<hyper::body::Incoming>,
    peer: SocketAddr,
    service: &Mutex<Service>,
    commits: &GroupCommit,
    budget: &Budget,
) -> Response {
    let (parts, body) = req.into_parts();
    let mut r = Request {
        method: parts.method.to_string(),
        raw_path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
        peer: peer.ip(),
    };
    let admission = match service.lock() {
        Ok(s) => s.admit(&r),
        Err(_) => return Response::new(500, "text/plain", POISONED),
    };
    // hyper knows the length from `Content-Length`, and that a request with neither it nor
    // `Transfer-Encoding` has no body; only a chunked body's length is unknown.
    let declared = if hyper::body::Body::is_end_stream(&body) {
        Some(0)
    } else {
        hyper::body::Body::size_hint(&body)
            .exact()
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    let (limit, proto) = match admission {
        Admission::Refuse(resp) => {
            // A small body already on its way is read and dropped, so the connection stays
            // usable and the client reads the answer instead of a reset.
            if declared.is_some_and(|n| (1..=limits::DRAIN_BODY).contains(&n)) {
                let _ = limits::read_body(body, limits::DRAIN_BODY, declared).await;
            }
            return resp;
        }
        Admission::Read(limit, proto) => (limit, proto),
    };
    if declared.is_some_and(|n| n > limit.bytes()) {
        return limit.refusal(proto, &r);
    }
    let _room = match declared {
        Some(0) => None,
        n => budget.reserve(n.unwrap_or(limit.bytes())).await,
    };
    r.body = match limits::read_body(body, limit.bytes(), declared).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => return limit.refusal(proto, &r),
        Err(BodyError::Incomplete) => {
            let e = WireError::new(
                "IncompleteBody",
                400,
                "The request body ended before its declared length",
            );
            return match proto {
                Some(p) => error_response(p, &r, &e, &request_id()),
                None => s3::error_response(&r, &e, &request_id()),
            };
        }
    };
    let (resp, upto) = match service.lock() {
        Ok(mut s) => (s.handle(&r), s.journal_written()),
        Err(_) => return Response::new(500, "text/plain", POISONED),
    };
    // Whatever this request changed or saw is durable before anyone hears of it.
    match commits.wait(upto, service).await {
        Ok(()) => resp,
        Err(e) => Response {
            note: resp.note,
            ..unsaved_response(&r, &e)
        },
    }
}

fn to_hyper(r: Response) -> hyper::Response<http_body_util::Full<bytes::Bytes>> {
    let mut b = hyper::Response::builder().status(r.status);
    for (n, v) in &r.headers {
        b = b.header(n.as_str(), v.as_str());
    }
    b.body(http_body_util::Full::new(bytes::Bytes::from(r.body)))
        .unwrap_or_else(|_| {
            let mut resp = hyper::Response::new(http_body_util::Full::new(
                bytes::Bytes::from_static(b"keyform serve built an invalid response header"),
            ));
            *resp.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            resp
        })
}
